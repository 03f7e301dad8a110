import { useState } from 'react';
import { post } from '../api';
import { useAction, useGet } from '../data';
import { fmtDate } from '../format';
import { Link } from '../router';
import type { Customer, Page } from '../types';
import { Field, FormError } from '../ui/forms';
import { LoadedItems } from '../ui/states';
import { Row, Table } from '../ui/Table';

export function Customers({ slug }: { slug: string }) {
  const [q, setQ] = useState('');
  const list = useGet<Page<Customer>>(`/v1/t/${slug}/customers?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`);
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">Customers</h1>
      <NewCustomer slug={slug} onCreated={list.reload} />
      <div className="field search">
        <label htmlFor="customer-search">Search by name</label>
        <input id="customer-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Acme" />
      </div>
      <LoadedItems state={list} what="customers" empty={q ? `No customer matches “${q}”.` : 'No customers yet. Add the first one above.'}>
        {(items) => (
          <Table head={['Name', 'Domain', 'Industry', 'Added']}>
            {items.map((c) => (
              <Row
                key={c.id}
                cells={[
                  <Link to={`/app/t/${slug}/customers/${c.id}`} data-track="open-customer">
                    {c.name}
                  </Link>,
                  c.domain ?? '—',
                  c.industry ?? '—',
                  fmtDate(c.created_at),
                ]}
              />
            ))}
          </Table>
        )}
      </LoadedItems>
    </section>
  );
}

function NewCustomer({ slug, onCreated }: { slug: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const action = useAction();
  const create = async () => {
    await post(`/v1/t/${slug}/customers`, { name, domain: domain || undefined });
    setName('');
    setDomain('');
    onCreated();
  };
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label="Add a customer" noValidate>
      <Field id="customer-name" label="Name" value={name} onChange={(e) => setName(e.target.value)} error={action.error?.field('name')} />
      <Field id="customer-domain" label="Domain" value={domain} onChange={(e) => setDomain(e.target.value)} error={action.error?.field('domain')} placeholder="acme.com" />
      <button type="submit" data-track="create-customer">
        Add customer
      </button>
      <FormError error={action.error} shownOn={['name', 'domain']} />
    </form>
  );
}
