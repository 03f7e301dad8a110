import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtDate, fmtNumber } from '../format';
import { fmtMoney } from '../money/currency';
import { invalidate } from '../query';
import type { Customer, Order } from '../types';
import { CustomerPicker } from '../ui/CustomerPicker';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { MoneyInput } from '../ui/MoneyInput';
import { Row } from '../ui/Table';
import { useMoneyDraft } from './settings';

export function Orders({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const [created, setCreated] = useState<Order | null>(null);
  return (
    <section aria-labelledby="orders-title">
      <h1 id="orders-title">{t('titles.orders')}</h1>
      <NewOrder slug={slug} onCreated={setCreated} />
      <List<Order>
        path={`/v1/t/${slug}/orders`}
        head={[t('orders.col.item'), t('orders.col.quantity'), { label: t('orders.col.amount'), sort: 'amount_cents' }, { label: t('orders.col.date'), sort: 'created_at' }]}
        what={t('orders.what')}
        empty={t('orders.empty')}
        rowKey={(o) => o.id}
        created={created}
        createdText={(o) => t('orders.created', { item: o.item })}
      >
        {(items, isCreated) => items.map((o) => <Row key={o.id} className={isCreated(o) ? 'created' : undefined} cells={[o.item, fmtNumber(o.quantity), fmtMoney(o.amount_cents, o.currency), fmtDate(o.created_at)]} />)}
      </List>
    </section>
  );
}

function NewOrder({ slug, onCreated }: { slug: string; onCreated: (o: Order) => void }) {
  const { t } = useTranslation();
  const [item, setItem] = useState('');
  const [quantity, setQuantity] = useState('1');
  const money = useMoneyDraft(slug);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const record = async () => {
    requireFields({ item, quantity, amount_cents: money.text });
    const o = await post<Order>(`/v1/t/${slug}/orders`, { item, quantity: /^\d+$/.test(quantity) ? Number(quantity) : -1, amount_cents: money.minor(), currency: money.currency, customer_id: customer?.id });
    setItem('');
    money.clear();
    setQuantity('1');
    onCreated(o);
    await invalidate(`/v1/t/${slug}/orders`);
  };
  return (
    <form className="inline-form" onSubmit={action.submit(record)} aria-label={t('orders.add')} noValidate>
      <Field id="order-item" label={t('orders.item')} value={item} onChange={(e) => setItem(e.target.value)} error={fieldError('item')} />
      <Field id="order-quantity" label={t('orders.quantity')} inputMode="numeric" value={quantity} onChange={(e) => setQuantity(e.target.value)} error={fieldError('quantity')} className="narrow" />
      <MoneyInput id="order-amount" label={t('orders.amount')} {...money.input} error={fieldError('amount_cents') ?? fieldError('currency')} />
      <CustomerPicker slug={slug} id="order-customer" label={t('orders.customer')} value={customer} onChange={setCustomer} error={fieldError('customer_id')} />
      <button type="submit" data-track="create-order">
        {t('orders.addButton')}
      </button>
      <FormError error={action.error} shownOn={['item', 'quantity', 'amount_cents', 'currency', 'customer_id']} />
    </form>
  );
}
