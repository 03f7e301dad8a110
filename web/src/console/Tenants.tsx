import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { invalidate, useApi } from '../query';
import type { ConsoleConfig, Page, Tenant, TenantStats } from '../types';
import { List } from '../ui/List';
import { SearchBox } from '../ui/SearchBox';
import { useDebounced } from '../ui/useDebounced';
import { CreateTenant } from './CreateTenant';
import { tenantHead, TenantRow } from './TenantRow';

export function Tenants() {
  const { t } = useTranslation();
  const stats = useApi<Page<TenantStats>>('/v1/tenant-stats');
  const config = useApi<ConsoleConfig>('/v1/console-config');
  const [pending, setPending] = useState<string | null>(null);
  const [created, setCreated] = useState<Tenant | null>(null);
  const [q, setQ] = useState('');
  const search = useDebounced(q.trim());
  const bySlug = new Map((stats.data?.items ?? []).map((s) => [s.slug, s]));
  const refresh = () => {
    void invalidate('/v1/tenants');
    void invalidate('/v1/tenant-stats');
  };
  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">{t('titles.tenants')}</h1>
      <CreateTenant
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
      <SearchBox id="tenant-search" label={t('tenants.search')} value={q} onChange={setQ} />
      <List<Tenant> path="/v1/tenants" params={{ q: search }} head={tenantHead(t)} what={t('tenants.what')} empty={search ? t('list.noMatch', { q: search }) : t('tenants.empty')} rowKey={(x) => x.slug} created={created} createdText={(x) => t('tenants.created', { slug: x.slug })}>
        {(items, isCreated) =>
          items.map((x) => <TenantRow key={x.slug} tenant={x} stats={bySlug.get(x.slug)} config={config.data ?? null} onChange={refresh} highlighted={isCreated(x)} />)
        }
      </List>
    </section>
  );
}
