import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { invalidate } from '../query';
import type { Customer, Deal } from '../types';
import { CustomerPicker } from '../ui/CustomerPicker';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { MoneyInput } from '../ui/MoneyInput';
import { useMoneyDraft } from './settings';

export function NewDeal({ slug, onCreated }: { slug: string; onCreated: (d: Deal) => void }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState('');
  const money = useMoneyDraft(slug);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const create = async () => {
    requireFields({ title, amount_cents: money.text, customer_id: customer?.id ?? '' });
    const d = await post<Deal>(`/v1/t/${slug}/deals`, { title, amount_cents: money.minor(), currency: money.currency, customer_id: customer?.id });
    setTitle('');
    money.clear();
    onCreated(d);
    await invalidate(`/v1/t/${slug}/deals`);
  };
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label={t('deals.add')} noValidate>
      <Field id="deal-title" label={t('deals.title')} value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError('title')} />
      <MoneyInput id="deal-amount" label={t('deals.amount')} {...money.input} error={fieldError('amount_cents') ?? fieldError('currency')} />
      <CustomerPicker slug={slug} id="deal-customer" label={t('deals.customer')} value={customer} onChange={setCustomer} error={fieldError('customer_id')} />
      <button type="submit" data-track="create-deal">
        {t('deals.addButton')}
      </button>
      <FormError error={action.error} shownOn={['title', 'amount_cents', 'currency', 'customer_id']} />
    </form>
  );
}
