// Orders: record one (item, quantity, amount in a currency, the customer who bought it),
// list them with their customer, change or delete each (guarded by the version read).
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtDate, fmtNumber } from '../format';
import { fmtMoney } from '../money/currency';
import { invalidate } from '../query';
import { href } from '../routes';
import { Link } from '../router';
import type { Customer, Order } from '../types';
import { CustomerPicker } from '../ui/CustomerPicker';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { MoneyInput } from '../ui/MoneyInput';
import { Row } from '../ui/Table';
import { useCustomerNames, useListEdits, useMoneyEdit, useRowEdit } from './crm';
import { Dialog } from './Dialog';
import { ConfirmDelete, Said, SaveBar } from './EditParts';
import { RowCustomer } from './RowCustomer';
import { useMoneyDraft } from './settings';

/// Quantity as typed: a whole number, or -1 for the server to refuse on the field.
const quantityOf = (s: string) => (/^\d+$/.test(s.trim()) ? Number(s.trim()) : -1);

/// The orders list, on its own screen (with the customers' `names`) or (with `customer`)
/// on a customer's page, where new orders are that customer's.
export function OrderList({ slug, customer, names }: { slug: string; customer?: Customer; names?: Map<string, string> }) {
  const { t } = useTranslation();
  const rows = useListEdits<Order>();
  const head = [t('orders.col.item'), ...(customer ? [] : [t('orders.col.customer')]), t('orders.col.quantity'), { label: t('orders.col.amount'), sort: 'amount_cents' }, { label: t('orders.col.date'), sort: 'created_at' }, t('orders.col.actions')];
  return (
    <>
      <NewOrder slug={slug} customer={customer} onCreated={(o) => rows.changed(o, t('orders.created', { item: o.item }))} />
      <Said text={rows.gone} />
      <List<Order>
        path={`/v1/t/${slug}/orders`}
        params={{ customer_id: customer?.id }}
        head={head}
        what={t('orders.what')}
        empty={t('orders.empty')}
        rowKey={(o) => o.id}
        {...rows.marked}
        pageSize={customer ? 20 : undefined}
      >
        {(items, isMarked) =>
          items.map((o) => (
            <Row
              key={o.id}
              className={isMarked(o) ? 'created' : undefined}
              cells={[
                o.item,
                ...(customer ? [] : [o.customer_id ? <Link to={href('customer', { slug, id: o.customer_id })}>{names?.get(o.customer_id) ?? t('orders.aCustomer')}</Link> : '—']),
                fmtNumber(o.quantity),
                fmtMoney(o.amount_cents, o.currency),
                fmtDate(o.created_at),
                <button type="button" className="secondary" aria-label={t('crm.editWhat', { what: o.item })} onClick={() => rows.open(o)} data-track="edit-order">
                  {t('crm.edit')}
                </button>,
              ]}
            />
          ))
        }
      </List>
      {rows.editing && (
        <EditOrder
          slug={slug}
          order={rows.editing}
          onClose={rows.close}
          onSaved={(o) => rows.changed(o, t('orders.saved', { item: o.item }))}
          onDeleted={(o) => rows.deleted(t('orders.deleted', { item: o.item }))}
        />
      )}
    </>
  );
}

export function Orders({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const names = useCustomerNames(slug);
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">{t('titles.orders')}</h1>
      <OrderList slug={slug} names={names} />
    </section>
  );
}

function EditOrder({ slug, order, onClose, onSaved, onDeleted }: { slug: string; order: Order; onClose: () => void; onSaved: (o: Order) => void; onDeleted: (o: Order) => void }) {
  const { t } = useTranslation();
  const [item, setItem] = useState(order.item);
  const [quantity, setQuantity] = useState(String(order.quantity));
  const money = useMoneyEdit(order.amount_cents, order.currency);
  const [picked, setPicked] = useState<Customer | null | undefined>(undefined);
  const edit = useRowEdit<Order>(`/v1/t/${slug}/orders/${order.id}`, order, {
    fill: (o) => {
      setItem(o.item);
      setQuantity(String(o.quantity));
      money.fill(o.amount_cents, o.currency);
      setPicked(undefined);
    },
    touched: [`/v1/t/${slug}/orders`, `/v1/t/${slug}/customers`],
    onSaved,
  });
  const fieldError = useFieldError(edit.action.error);
  const title = t('orders.edit', { item: order.item });
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        className="inline-form"
        onSubmit={edit.save(() => {
          requireFields({ item, quantity, amount_cents: money.text });
          return { item, quantity: quantityOf(quantity), amount_cents: money.minor(), currency: money.currency, customer_id: picked === undefined ? edit.base.customer_id : (picked?.id ?? null) };
        })}
        aria-label={title}
        noValidate
      >
        <Field id="edit-order-item" label={t('orders.item')} value={item} onChange={(e) => setItem(e.target.value)} error={fieldError('item')} />
        <Field id="edit-order-quantity" label={t('orders.quantity')} inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} error={fieldError('quantity')} className="narrow" />
        <MoneyInput id="edit-order-amount" label={t('orders.amount')} {...money.input} error={fieldError('amount_cents') ?? fieldError('currency')} />
        <RowCustomer slug={slug} customerId={edit.base.customer_id} version={edit.base.version} picked={picked} id="edit-order-customer" label={t('orders.customer')} onChange={setPicked} error={fieldError('customer_id')} />
        <SaveBar edit={edit} shownOn={['item', 'quantity', 'amount_cents', 'currency', 'customer_id']} />
      </form>
      <ConfirmDelete label={t('crm.deleteWhat', { what: edit.base.item })} question={t('orders.confirmDelete', { item: edit.base.item })} onConfirm={() => edit.remove(() => onDeleted(edit.base))} />
    </Dialog>
  );
}

function NewOrder({ slug, customer: fixed, onCreated }: { slug: string; customer?: Customer; onCreated: (o: Order) => void }) {
  const { t } = useTranslation();
  const [item, setItem] = useState('');
  const [quantity, setQuantity] = useState('1');
  const money = useMoneyDraft(slug);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const record = async () => {
    requireFields({ item, quantity, amount_cents: money.text });
    const o = await post<Order>(`/v1/t/${slug}/orders`, { item, quantity: quantityOf(quantity), amount_cents: money.minor(), currency: money.currency, customer_id: (fixed ?? customer)?.id });
    setItem('');
    money.clear();
    setQuantity('1');
    onCreated(o);
    await invalidate(`/v1/t/${slug}/orders`);
    if (fixed) await invalidate(`/v1/t/${slug}/customers/${fixed.id}`);
  };
  return (
    <form className="inline-form" onSubmit={action.submit(record)} aria-label={fixed ? t('orders.addFor', { name: fixed.name }) : t('orders.add')} noValidate>
      <Field id="order-item" label={t('orders.item')} value={item} onChange={(e) => setItem(e.target.value)} error={fieldError('item')} />
      <Field id="order-quantity" label={t('orders.quantity')} inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} error={fieldError('quantity')} className="narrow" />
      <MoneyInput id="order-amount" label={t('orders.amount')} {...money.input} error={fieldError('amount_cents') ?? fieldError('currency')} />
      {!fixed && <CustomerPicker slug={slug} id="order-customer" label={t('orders.customer')} value={customer} onChange={setCustomer} error={fieldError('customer_id')} />}
      <button type="submit" data-track="create-order">
        {t('orders.addButton')}
      </button>
      <FormError error={action.error} shownOn={['item', 'quantity', 'amount_cents', 'currency', 'customer_id']} />
    </form>
  );
}
