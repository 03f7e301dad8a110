// Changing a customer's name, domain and industry, from the version the page read.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Customer } from '../types';
import { requireFields } from '../ui/errors';
import { Field, useFieldError } from '../ui/forms';
import { useRowEdit } from './crm';
import { Dialog } from './Dialog';
import { SaveBar } from './EditParts';
import { IndustryField, industryText, industryToStore } from './Industry';

export function EditCustomer({ slug, customer, onClose, onSaved }: { slug: string; customer: Customer; onClose: () => void; onSaved: (c: Customer) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(customer.name);
  const [domain, setDomain] = useState(customer.domain ?? '');
  const [industry, setIndustry] = useState(industryText(t, customer.industry ?? ''));
  const edit = useRowEdit<Customer>(`/v1/t/${slug}/customers/${customer.id}`, customer, {
    fill: (c) => {
      setName(c.name);
      setDomain(c.domain ?? '');
      setIndustry(industryText(t, c.industry ?? ''));
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
          return { name, domain, industry: industryToStore(t, industry) };
        })}
        aria-label={title}
        noValidate
      >
        <Field id="edit-customer-name" label={t('customers.name')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
        <Field id="edit-customer-domain" label={t('customers.domain')} value={domain} onChange={(e) => setDomain(e.target.value)} error={fieldError('domain')} />
        <IndustryField id="edit-customer-industry" value={industry} onChange={setIndustry} error={fieldError('industry')} />
        <SaveBar edit={edit} shownOn={['name', 'domain', 'industry']} />
      </form>
    </Dialog>
  );
}
