import { useState, type FormEvent } from 'react';
import { ApiError, get, post } from '../api';
import { Link } from '../router';
import { Empty, Field, FormError, Loading, fmtDate, fmtMoney, useLoad } from '../ui';
import type { Deal } from './Deals';

export interface Customer {
  id: string;
  name: string;
  domain: string | null;
  industry: string | null;
  created_at: string;
}

interface Contact {
  id: string;
  name: string;
  email: string | null;
  title: string | null;
}

export function Customers({ slug }: { slug: string }) {
  const [q, setQ] = useState('');
  const list = useLoad(() => get<{ items: Customer[] }>(`/v1/t/${slug}/customers?limit=100${q ? `&q=${encodeURIComponent(q)}` : ''}`), [slug, q]);
  return (
    <section aria-labelledby="customers-title">
      <h1 id="customers-title">Customers</h1>
      <NewCustomer slug={slug} onCreated={list.reload} />
      <div className="field search">
        <label htmlFor="customer-search">Search by name</label>
        <input id="customer-search" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Acme" />
      </div>
      {list.error && <FormError error={list.error} />}
      {!list.data ? (
        <Loading what="customers" />
      ) : list.data.items.length === 0 ? (
        <Empty>{q ? `No customer matches “${q}”.` : 'No customers yet. Add the first one above.'}</Empty>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Domain</th>
              <th scope="col">Industry</th>
              <th scope="col">Added</th>
            </tr>
          </thead>
          <tbody>
            {list.data.items.map((c) => (
              <tr key={c.id}>
                <th scope="row">
                  <Link to={`/app/t/${slug}/customers/${c.id}`} data-track="open-customer">
                    {c.name}
                  </Link>
                </th>
                <td>{c.domain ?? '—'}</td>
                <td>{c.industry ?? '—'}</td>
                <td>{fmtDate(c.created_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function NewCustomer({ slug, onCreated }: { slug: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post(`/v1/t/${slug}/customers`, { name, domain: domain || undefined });
      setName('');
      setDomain('');
      onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a customer" noValidate>
      <Field id="customer-name" label="Name" value={name} onChange={(e) => setName(e.target.value)} error={error?.field('name')} />
      <Field id="customer-domain" label="Domain" value={domain} onChange={(e) => setDomain(e.target.value)} error={error?.field('domain')} placeholder="acme.com" />
      <button type="submit" data-track="create-customer">
        Add customer
      </button>
      <FormError error={error && !error.field('name') && !error.field('domain') ? error : null} />
    </form>
  );
}

export function CustomerDetail({ slug, id }: { slug: string; id: string }) {
  const customer = useLoad(() => get<Customer>(`/v1/t/${slug}/customers/${id}`), [slug, id]);
  const contacts = useLoad(() => get<{ items: Contact[] }>(`/v1/t/${slug}/contacts?customer_id=${id}`), [slug, id]);
  const deals = useLoad(() => get<{ items: Deal[] }>(`/v1/t/${slug}/deals?customer_id=${id}`), [slug, id]);
  if (customer.error) return <FormError error={customer.error.status === 404 ? 'This customer does not exist in this workspace.' : customer.error} />;
  if (!customer.data) return <Loading what="the customer" />;
  const c = customer.data;
  return (
    <section aria-labelledby="customer-title">
      <p>
        <Link to={`/app/t/${slug}/customers`}>← Customers</Link>
      </p>
      <h1 id="customer-title">{c.name}</h1>
      <p className="muted">
        {c.domain ?? 'no domain'} · {c.industry ?? 'no industry'} · added {fmtDate(c.created_at)}
      </p>
      <div className="columns">
        <div>
          <h2>Contacts</h2>
          <NewContact slug={slug} customerId={id} onCreated={contacts.reload} />
          {!contacts.data ? (
            <Loading what="contacts" />
          ) : contacts.data.items.length === 0 ? (
            <Empty>No contacts.</Empty>
          ) : (
            <ul className="cards">
              {contacts.data.items.map((p) => (
                <li key={p.id}>
                  <strong>{p.name}</strong> {p.title && <span className="muted">· {p.title}</span>}
                  {p.email && <div>{p.email}</div>}
                </li>
              ))}
            </ul>
          )}
        </div>
        <div>
          <h2>Deals</h2>
          {!deals.data ? (
            <Loading what="deals" />
          ) : deals.data.items.length === 0 ? (
            <Empty>No deals.</Empty>
          ) : (
            <ul className="cards">
              {deals.data.items.map((d) => (
                <li key={d.id}>
                  <strong>{d.title}</strong> · {fmtMoney(d.amount_cents, d.currency)} · <span className={`badge ${d.stage}`}>{d.stage}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>
    </section>
  );
}

function NewContact({ slug, customerId, onCreated }: { slug: string; customerId: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [title, setTitle] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await post(`/v1/t/${slug}/contacts`, { customer_id: customerId, name, email: email || undefined, title: title || undefined });
      setName('');
      setEmail('');
      setTitle('');
      onCreated();
    } catch (err) {
      setError(err as ApiError);
    }
  };
  const known = ['name', 'email', 'title'].some((f) => error?.field(f));
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add a contact" noValidate>
      <Field id="contact-name" label="Contact name" value={name} onChange={(e) => setName(e.target.value)} error={error?.field('name')} />
      <Field id="contact-email" label="Contact email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={error?.field('email')} />
      <Field id="contact-title" label="Job title" value={title} onChange={(e) => setTitle(e.target.value)} error={error?.field('title')} />
      <button type="submit" data-track="create-contact">
        Add contact
      </button>
      <FormError error={error && !known ? error : null} />
    </form>
  );
}
