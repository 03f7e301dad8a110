import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useAction } from '../data';
import { fmtDate } from '../format';
import { fmtMoney } from '../money/currency';
import { invalidate, useApi } from '../query';
import { href } from '../routes';
import { Link } from '../router';
import type { Contact, Customer, Deal } from '../types';
import { requireFields } from '../ui/errors';
import { Field, FormError, useFieldError } from '../ui/forms';
import { List } from '../ui/List';
import { Loaded } from '../ui/states';
import { Row } from '../ui/Table';

export function CustomerDetail({ slug, id }: { slug: string; id: string }) {
  const { t } = useTranslation();
  const customer = useApi<Customer>(`/v1/t/${slug}/customers/${id}`);
  // Another tenant's id is as unknown here as a made-up one.
  const explain = (e: { status: number }) => (e.status === 404 ? t('customer.notFound') : null);
  return (
    <Loaded query={customer} explain={explain}>
      {(c) => (
        <section aria-labelledby="customer-title">
          <p>
            <Link to={href('customers', { slug })}>← {t('titles.customers')}</Link>
          </p>
          <h1 id="customer-title">{c.name}</h1>
          <p className="muted">{t('customer.summary', { domain: c.domain ?? t('customer.noDomain'), industry: c.industry ?? t('customer.noIndustry'), date: fmtDate(c.created_at) })}</p>
          <div className="columns">
            <div>
              <h2>{t('customer.contacts')}</h2>
              <NewContact slug={slug} customerId={id} />
              <List<Contact> path={`/v1/t/${slug}/contacts`} params={{ customer_id: id }} head={[t('customer.col.contact'), t('customer.col.email'), t('customer.col.title')]} what={t('customer.contactsWhat')} empty={t('customer.noContacts')} rowKey={(p) => p.id} pageSize={20}>
                {(items) => items.map((p) => <Row key={p.id} cells={[p.name, p.email ?? '—', p.title ?? '—']} />)}
              </List>
            </div>
            <div>
              <h2>{t('customer.deals')}</h2>
              <List<Deal> path={`/v1/t/${slug}/deals`} params={{ customer_id: id }} head={[t('customer.col.deal'), t('customer.col.amount'), t('customer.col.stage')]} what={t('customer.dealsWhat')} empty={t('customer.noDeals')} rowKey={(d) => d.id} pageSize={20}>
                {(items) =>
                  items.map((d) => (
                    <Row key={d.id} cells={[<Link to={href('deals', { slug })}>{d.title}</Link>, fmtMoney(d.amount_cents, d.currency), <span className={`badge ${d.stage}`}>{t(`stages.${d.stage}`)}</span>]} />
                  ))
                }
              </List>
            </div>
          </div>
        </section>
      )}
    </Loaded>
  );
}

function NewContact({ slug, customerId }: { slug: string; customerId: string }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [title, setTitle] = useState('');
  const action = useAction();
  const fieldError = useFieldError(action.error);
  const create = async () => {
    requireFields({ name });
    await post(`/v1/t/${slug}/contacts`, { customer_id: customerId, name, email: email || undefined, title: title || undefined });
    setName('');
    setEmail('');
    setTitle('');
    await invalidate(`/v1/t/${slug}/contacts`);
  };
  return (
    <form className="inline-form" onSubmit={action.submit(create)} aria-label={t('customer.addContact')} noValidate>
      <Field id="contact-name" label={t('customer.contactName')} value={name} onChange={(e) => setName(e.target.value)} error={fieldError('name')} />
      <Field id="contact-email" label={t('customer.contactEmail')} type="email" value={email} onChange={(e) => setEmail(e.target.value)} error={fieldError('email')} />
      <Field id="contact-title" label={t('customer.jobTitle')} value={title} onChange={(e) => setTitle(e.target.value)} error={fieldError('title')} />
      <button type="submit" data-track="create-contact">
        {t('customer.addContactButton')}
      </button>
      <FormError error={action.error} shownOn={['name', 'email', 'title']} />
    </form>
  );
}
