// One deal in a dialog, opened from its kanban card, the customer page or the timeline:
// change its title, amount (in its currency) and customer, delete it, read and write
// notes on it. The stage changes on the board, so its history stays complete.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtMoney } from '../money/currency';
import { useApi } from '../query';
import type { Customer, Deal, User } from '../types';
import { requireFields } from '../ui/errors';
import { Field, useFieldError } from '../ui/forms';
import { MoneyInput } from '../ui/MoneyInput';
import { Loaded } from '../ui/states';
import { useMoneyEdit, useRowEdit } from './crm';
import { Dialog } from './Dialog';
import { ConfirmDelete, SaveBar } from './EditParts';
import { Notes } from './Notes';
import { RowCustomer } from './RowCustomer';

export function DealDialog({ slug, me, id, onClose, onDeleted }: { slug: string; me: User; id: string; onClose: () => void; onDeleted: (d: Deal) => void }) {
  const { t } = useTranslation();
  const path = `/v1/t/${slug}/deals/${id}`;
  const deal = useApi<Deal>(path);
  const explain = (e: { status: number }) => (e.status === 404 ? t('deals.notFound') : null);
  return (
    <Dialog title={deal.data ? t('deals.dialog', { title: deal.data.title }) : t('deals.edit')} onClose={onClose}>
      <Loaded query={deal} explain={explain}>
        {(d) => (
          <>
            <p className="muted">
              <span className={`badge ${d.stage}`}>{t(`stages.${d.stage}`)}</span> · {fmtMoney(d.amount_cents, d.currency)}
            </p>
            <DealForm slug={slug} deal={d} onDeleted={onDeleted} />
            <Notes slug={slug} me={me} parent={path} also={`/v1/t/${slug}/customers/${d.customer_id}`} idPrefix="deal" />
          </>
        )}
      </Loaded>
    </Dialog>
  );
}

function DealForm({ slug, deal, onDeleted }: { slug: string; deal: Deal; onDeleted: (d: Deal) => void }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState(deal.title);
  const money = useMoneyEdit(deal.amount_cents, deal.currency);
  // undefined: the customer the deal had when read; null: none picked yet.
  const [picked, setPicked] = useState<Customer | null | undefined>(undefined);
  const edit = useRowEdit<Deal>(`/v1/t/${slug}/deals/${deal.id}`, deal, {
    fill: (d) => {
      setTitle(d.title);
      money.fill(d.amount_cents, d.currency);
      setPicked(undefined);
    },
    touched: [`/v1/t/${slug}/deals`, `/v1/t/${slug}/customers`],
  });
  const fieldError = useFieldError(edit.action.error);
  const customerId = picked === undefined ? edit.base.customer_id : (picked?.id ?? '');
  return (
    <>
      <form
        className="inline-form"
        onSubmit={edit.save(() => {
          requireFields({ title, amount_cents: money.text, customer_id: customerId });
          return { title, amount_cents: money.minor(), currency: money.currency, customer_id: customerId };
        })}
        aria-label={t('deals.edit')}
        noValidate
      >
        <Field id="edit-deal-title" label={t('deals.title')} value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError('title')} />
        <MoneyInput id="edit-deal-amount" label={t('deals.amount')} {...money.input} error={fieldError('amount_cents') ?? fieldError('currency')} />
        <RowCustomer slug={slug} customerId={edit.base.customer_id} version={edit.base.version} picked={picked} id="edit-deal-customer" label={t('deals.customer')} onChange={setPicked} error={fieldError('customer_id')} />
        <SaveBar edit={edit} shownOn={['title', 'amount_cents', 'currency', 'customer_id']} />
      </form>
      <ConfirmDelete label={t('crm.deleteWhat', { what: edit.base.title })} question={t('deals.confirmDelete', { title: edit.base.title })} onConfirm={() => edit.remove(() => onDeleted(edit.base))} />
    </>
  );
}
