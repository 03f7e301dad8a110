// One customer, as a CRM user works with it: change or delete it (guarded by the version
// read: a change someone made meanwhile is reloaded and said), its contacts, deals (each
// opens), orders (record one for it), notes and the activity timeline.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtDate } from '../format';
import { fmtMoney } from '../money/currency';
import { invalidate, useApi } from '../query';
import { href } from '../routes';
import { Link, navigate } from '../router';
import type { Customer, Deal, User } from '../types';
import { List } from '../ui/List';
import { Loaded } from '../ui/states';
import { Row } from '../ui/Table';
import { Contacts } from './Contacts';
import { deleteRow, orReload, setFlash } from './crm';
import { DealDialog } from './DealDialog';
import { EditCustomer } from './EditCustomer';
import { ConfirmDelete, Said } from './EditParts';
import { industryText } from './Industry';
import { Notes } from './Notes';
import { OrderList } from './Orders';
import { Timeline } from './Timeline';

/// `me`: the signed-in user (notes are changed by their author or an admin).
export function CustomerDetail({ slug, id, me }: { slug: string; id: string; me: User }) {
  const { t } = useTranslation();
  const path = `/v1/t/${slug}/customers/${id}`;
  const customer = useApi<Customer>(path);
  const [editing, setEditing] = useState(false);
  const [said, setSaid] = useState('');
  const [deal, setDeal] = useState<string | null>(null);
  // Another tenant's id is as unknown here as a made-up one.
  const explain = (e: { status: number }) => (e.status === 404 ? t('customer.notFound') : null);
  const remove = (c: Customer) =>
    orReload(
      async () => {
        await deleteRow(path, c.version);
        setFlash(t('customers.deleted', { name: c.name }));
        navigate(href('customers', { slug }));
        await invalidate(`/v1/t/${slug}/`);
      },
      () => invalidate(path),
    );
  return (
    <Loaded query={customer} explain={explain}>
      {(c) => (
        <section aria-labelledby="customer-title">
          <p>
            <Link to={href('customers', { slug })}>← {t('titles.customers')}</Link>
          </p>
          <h1 id="customer-title">{c.name}</h1>
          <p className="muted" data-testid="customer-summary">
            {t('customer.summary', { domain: c.domain ?? t('customer.noDomain'), industry: c.industry ? industryText(t, c.industry) : t('customer.noIndustry'), date: fmtDate(c.created_at) })}
          </p>
          <div className="head-actions">
            <button type="button" className="secondary" onClick={() => setEditing(true)} data-track="edit-customer">
              {t('customer.edit')}
            </button>
            <ConfirmDelete label={t('crm.deleteWhat', { what: c.name })} question={t('customer.confirmDelete', { name: c.name })} onConfirm={() => remove(c)} />
          </div>
          <Said text={said} />
          <div className="crm-sections">
            <Timeline slug={slug} customerId={id} onOpenDeal={setDeal} />
            <Notes slug={slug} me={me} parent={path} idPrefix="customer" />
            <Contacts slug={slug} customerId={id} />
            <section aria-labelledby="customer-deals">
              <h2 id="customer-deals">{t('customer.deals')}</h2>
              <List<Deal> path={`/v1/t/${slug}/deals`} params={{ customer_id: id }} head={[t('customer.col.deal'), t('customer.col.amount'), t('customer.col.stage')]} what={t('customer.dealsWhat')} empty={t('customer.noDeals')} rowKey={(d) => d.id} pageSize={20}>
                {(items) =>
                  items.map((d) => (
                    <Row
                      key={d.id}
                      cells={[
                        <button type="button" className="link" onClick={() => setDeal(d.id)} data-track="open-deal">
                          {d.title}
                        </button>,
                        fmtMoney(d.amount_cents, d.currency),
                        <span className={`badge ${d.stage}`}>{t(`stages.${d.stage}`)}</span>,
                      ]}
                    />
                  ))
                }
              </List>
            </section>
            <section aria-labelledby="customer-orders">
              <h2 id="customer-orders">{t('customer.orders')}</h2>
              <OrderList slug={slug} customer={c} />
            </section>
          </div>
          {editing && (
            <EditCustomer
              slug={slug}
              customer={c}
              onClose={() => setEditing(false)}
              onSaved={(x) => {
                setEditing(false);
                setSaid(t('customer.saved', { name: x.name }));
              }}
            />
          )}
          {deal && (
            <DealDialog
              slug={slug}
              me={me}
              id={deal}
              onClose={() => setDeal(null)}
              onDeleted={(d) => {
                setDeal(null);
                setSaid(t('deals.deleted', { title: d.title }));
              }}
            />
          )}
        </section>
      )}
    </Loaded>
  );
}
