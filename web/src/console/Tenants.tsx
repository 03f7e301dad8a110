import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { invalidate, useApi } from '../query';
import type { ConsoleConfig, Page, Tenant, TenantStats } from '../types';
import { SelectField } from '../ui/forms';
import { List } from '../ui/List';
import { SearchBox } from '../ui/SearchBox';
import { useDebounced } from '../ui/useDebounced';
import { CreateTenant } from './CreateTenant';
import { PLANS, TENANT_STATES } from './plans';
import { tenantHead, TenantRow } from './TenantRow';

/// The list's filters start from the address (`/console?state=suspended`), so the
/// overview's counts can link to the tenants they count.
const initial = (name: string, allowed: readonly string[]) => {
  const v = new URLSearchParams(location.search).get(name) ?? '';
  return allowed.includes(v) ? v : '';
};

export function Tenants() {
  const { t } = useTranslation();
  const stats = useApi<Page<TenantStats>>('/v1/tenant-stats');
  const config = useApi<ConsoleConfig>('/v1/console-config');
  const [pending, setPending] = useState<string | null>(null);
  const [created, setCreated] = useState<Tenant | null>(null);
  const [q, setQ] = useState('');
  const [state, setState] = useState(() => initial('state', TENANT_STATES));
  const [plan, setPlan] = useState(() => initial('plan', PLANS));
  const search = useDebounced(q.trim());
  const bySlug = new Map((stats.data?.items ?? []).map((s) => [s.slug, s]));
  const refresh = () => {
    void invalidate('/v1/tenants');
    void invalidate('/v1/tenant-stats');
  };
  const filtered = Boolean(search || state || plan);
  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">{t('titles.tenants')}</h1>
      <CreateTenant
        slugRules={config.data?.slug_rules}
        onStart={setPending}
        onDone={(tenant) => {
          setPending(null);
          if (tenant) setCreated(tenant);
          refresh();
        }}
      />
      {pending && (
        <p className="status" role="status" aria-live="polite">
          {t('tenants.provisioning', { slug: pending })}
        </p>
      )}
      <form className="inline-form" aria-label={t('tenants.filter')} onSubmit={(e) => e.preventDefault()}>
        <SearchBox id="tenant-search" label={t('tenants.search')} value={q} onChange={setQ} />
        <SelectField id="tenant-state" label={t('tenants.stateFilter')} value={state} onChange={(e) => setState(e.target.value)} options={[['', t('tenants.anyState')], ...TENANT_STATES.map((s) => [s, t(`states.tenant.${s}`)] as const)]} />
        <SelectField id="tenant-plan" label={t('tenants.planFilter')} value={plan} onChange={(e) => setPlan(e.target.value)} options={[['', t('tenants.anyPlan')], ...PLANS.map((p) => [p, t(`plans.${p}`)] as const)]} />
      </form>
      <List<Tenant>
        path="/v1/tenants"
        params={{ q: search, state, plan }}
        head={tenantHead(t)}
        what={t('tenants.what')}
        empty={filtered ? t('tenants.noMatch') : t('tenants.empty')}
        rowKey={(x) => x.slug}
        created={created}
        createdText={(x) => t('tenants.created', { slug: x.slug })}
      >
        {(items, isCreated) =>
          items.map((x) => <TenantRow key={x.slug} tenant={x} stats={bySlug.get(x.slug)} config={config.data ?? null} onChange={refresh} highlighted={isCreated(x)} />)
        }
      </List>
    </section>
  );
}
