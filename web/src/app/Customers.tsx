import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtDate } from '../format';
import { invalidate } from '../query';
import { href } from '../routes';
import { Link } from '../router';
import type { Customer } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { SearchBox } from '../ui/SearchBox';
import { Row } from '../ui/Table';
import { useDebounced } from '../ui/useDebounced';
import { useFlash } from './crm';
import { Said } from './EditParts';
import { IndustryField, industryText, industryToStore } from './Industry';

export function Customers({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const search = useDebounced(q.trim());
  const [created, setCreated] = useState<Customer | null>(null);
  const flash = useFlash();
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">{t('titles.customers')}</h1>
      <Said text={created ? null : flash} />
      <NewCustomer slug={slug} onCreated={setCreated} />
      <SearchBox id="customer-search" label={t('customers.search')} value={q} onChange={setQ} placeholder="Acme" />
      <List<Customer>
        path={`/v1/t/${slug}/customers`}
        params={{ q: search }}
        head={[{ label: t('customers.col.name'), sort: 'name' }, t('customers.col.domain'), t('customers.col.industry'), { label: t('customers.col.added'), sort: 'created_at' }]}
        what={t('customers.what')}
        empty={search ? t('list.noMatch', { q: search }) : t('customers.empty')}
        rowKey={(c) => c.id}
        created={created}
        createdText={(c) => t('customers.created', { name: c.name })}
      >
        {(items, isCreated) =>
          items.map((c) => (
            <Row
              key={c.id}
              className={isCreated(c) ? 'created' : undefined}
              cells={[
                <Link to={href('customer', { slug, id: c.id })} data-track="open-customer">
                  {c.name}
                </Link>,
                c.domain ?? '—',
                c.industry ? industryText(t, c.industry) : '—',
                fmtDate(c.created_at),
              ]}
            />
          ))
        }
      </List>
    </section>
  );
}

function NewCustomer({ slug, onCreated }: { slug: string; onCreated: (c: Customer) => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [industry, setIndustry] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const create = async () => {
    requireFields({ name });
    const c = await post<Customer>(`/v1/t/${slug}/customers`, { name, domain: domain || undefined, industry: industry ? industryToStore(t, industry) : undefined });
    setName('');
    setDomain('');
    setIndustry('');
    onCreated(c);
    await invalidate(`/v1/t/${slug}/customers`);
  };
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label={t('customers.add')} noValidate>
      <Field id="customer-name" label={t('customers.name')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
      <Field id="customer-domain" label={t('customers.domain')} value={domain} onChange={(e) => setDomain(e.target.value)} error={fieldError('domain')} placeholder="acme.com" />
      <IndustryField id="customer-industry" value={industry} onChange={setIndustry} error={fieldError('industry')} />
      <button type="submit" data-track="create-customer">
        {t('customers.addButton')}
      </button>
      <FormError error={action.error} shownOn={['name', 'domain', 'industry']} />
    </form>
  );
}
