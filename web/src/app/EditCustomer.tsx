// Changing a customer's name, domain and industry, from the version the page read.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../types';
import { requireFields } from '../ui/errors';
import { Field, useFieldError } from '../ui/forms';
import { useRowEdit } from './crm';
import { Dialog } from './Dialog';
import { SaveBar } from './EditParts';

export function EditCustomer({ slug, customer, onClose, onSaved }: { slug: string; customer: Customer; onClose: () => void; onSaved: (c: Customer) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(customer.name);
  const [domain, setDomain] = useState(customer.domain ?? '');
  const [industry, setIndustry] = useState(customer.industry ?? '');
  const edit = useRowEdit<Customer>(`/v1/t/${slug}/customers/${customer.id}`, customer, {
    fill: (c) => {
      setName(c.name);
      setDomain(c.domain ?? '');
      setIndustry(c.industry ?? '');
    },
    touched: [`/v1/t/${slug}/customers`],
    onSaved,
  });
  const fieldError = useFieldError(edit.action.error);
  const title = t('customer.edit');
  return (
    <Dialog title={title} onClose={onClose}>
      <form
        onSubmit={edit.save(() => {
          requireFields({ name });
          return { name, domain, industry };
        })}
        aria-label={title}
        noValidate
      >
        <Field id="edit-customer-name" label={t('customers.name')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
        <Field id="edit-customer-domain" label={t('customers.domain')} value={domain} onChange={(e) => setDomain(e.target.value)} error={fieldError('domain')} />
        <Field id="edit-customer-industry" label={t('customers.industry')} value={industry} onChange={(e) => setIndustry(e.target.value)} error={fieldError('industry')} />
        <SaveBar edit={edit} shownOn={['name', 'domain', 'industry']} />
      </form>
    </Dialog>
  );
}
