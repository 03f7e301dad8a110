import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { invalidate } from '../query';
import type { Customer } from '../types';
import { CustomerPicker } from '../ui/CustomerPicker';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { MoneyInput, toMinor } from '../ui/MoneyInput';
import { useTenantCurrency } from './settings';

export function NewDeal({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const [title, setTitle] = useState('');
  const [amount, setAmount] = useState('');
  const tenantCurrency = useTenantCurrency(slug);
  const [currency, setCurrency] = useState<string | null>(null);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const chosen = currency ?? tenantCurrency;
  const create = async () => {
    requireFields({ title, amount_cents: amount, customer_id: customer?.id ?? '' });
    const amount_cents = toMinor(amount, chosen);
    await post(`/v1/t/${slug}/deals`, { title, amount_cents, currency: chosen, customer_id: customer?.id });
    setTitle('');
    setAmount('');
    await invalidate(`/v1/t/${slug}/deals`);
  };
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label={t('deals.add')} noValidate>
      <Field id="deal-title" label={t('deals.title')} value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError('title')} />
      <MoneyInput id="deal-amount" label={t('deals.amount')} value={amount} onChange={setAmount} currency={chosen} onCurrency={setCurrency} error={fieldError('amount_cents') ?? fieldError('currency')} />
      <CustomerPicker slug={slug} id="deal-customer" label={t('deals.customer')} value={customer} onChange={setCustomer} error={fieldError('customer_id')} />
      <button type="submit" data-track="create-deal">
        {t('deals.addButton')}
      </button>
      <FormError error={action.error} shownOn={['title', 'amount_cents', 'currency', 'customer_id']} />
    </form>
  );
}
