import { useState } from 'react';
import { post, type ApiError } from '../api';
import { useAction, useGet } from '../data';
import { fmtDate, fmtMoney } from '../format';
import { Link } from '../router';
import type { Contact, Customer, Deal, Page } from '../types';
import { Field, FormError } from '../ui/forms';
import { Loaded, LoadedItems } from '../ui/states';

export function CustomerDetail({ slug, id }: { slug: string; id: string }) {
  const customer = useGet<Customer>(`/v1/t/${slug}/customers/${id}`);
  const contacts = useGet<Page<Contact>>(`/v1/t/${slug}/contacts?customer_id=${id}`);
  const deals = useGet<Page<Deal>>(`/v1/t/${slug}/deals?customer_id=${id}`);
  // Another tenant's id is as unknown here as a made-up one.
  const explain = (e: ApiError) => (e.status === 404 ? 'This customer does not exist in this workspace.' : e);
  return (
    <Loaded state={customer} what="the customer" explain={explain}>
      {(c) => (
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
              <LoadedItems state={contacts} what="contacts" empty="No contacts.">
                {(items) => (
                  <ul className="cards">
                    {items.map((p) => (
                      <li key={p.id}>
                        <strong>{p.name}</strong> {p.title && <span className="muted">· {p.title}</span>}
                        {p.email && <div>{p.email}</div>}
                      </li>
                    ))}
                  </ul>
                )}
              </LoadedItems>
            </div>
            <div>
              <h2>Deals</h2>
              <LoadedItems state={deals} what="deals" empty="No deals.">
                {(items) => (
                  <ul className="cards">
                    {items.map((d) => (
                      <li key={d.id}>
                        <strong>{d.title}</strong> · {fmtMoney(d.amount_cents, d.currency)} · <span className={`badge ${d.stage}`}>{d.stage}</span>
                      </li>
                    ))}
                  </ul>
                )}
              </LoadedItems>
            </div>
          </div>
        </section>
      )}
    </Loaded>
  );
}

function NewContact({ slug, customerId, onCreated }: { slug: string; customerId: string; onCreated: () => void }) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [title, setTitle] = useState('');
  const action = useAction();
  const create = async () => {
    await post(`/v1/t/${slug}/contacts`, { customer_id: customerId, name, email: email || undefined, title: title || undefined });
    setName('');
    setEmail('');
    setTitle('');
    onCreated();
  };
  const error = action.error;
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label="Add a contact" noValidate>
      <Field id="contact-name" label="Contact name" value={name} onChange={(e) => setName(e.target.value)} error={error?.field('name')} />
      <Field id="contact-email" label="Contact email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={error?.field('email')} />
      <Field id="contact-title" label="Job title" value={title} onChange={(e) => setTitle(e.target.value)} error={error?.field('title')} />
      <button type="submit" data-track="create-contact">
        Add contact
      </button>
      <FormError error={error} shownOn={['name', 'email', 'title']} />
    </form>
  );
}
