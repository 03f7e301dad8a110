import { useState } from 'react';
import { useGet } from '../data';
import type { ConsoleConfig, Page, Tenant, TenantStats } from '../types';
import { LoadedItems } from '../ui/states';
import { Table } from '../ui/Table';
import { CreateTenant } from './CreateTenant';
import { TENANT_COLUMNS, TenantRow } from './TenantRow';

export function Tenants() {
  const tenants = useGet<Page<Tenant>>('/v1/tenants?limit=200');
  const stats = useGet<Page<TenantStats>>('/v1/tenant-stats');
  const config = useGet<ConsoleConfig>('/v1/console-config');
  const [pending, setPending] = useState<string | null>(null);
  const bySlug = new Map((stats.data?.items ?? []).map((s) => [s.slug, s]));
  const refresh = () => {
    tenants.reload();
    stats.reload();
  };
  return (
    <section aria-labelledby="tenants-title">
      <h1 id="tenants-title">Tenants</h1>
      <CreateTenant
        onStart={setPending}
        onDone={() => {
          setPending(null);
          refresh();
        }}
      />
      {pending && (
        <p className="status" role="status" aria-live="polite">
          Provisioning <strong>{pending}</strong>: schema, role, grants, migrations…
        </p>
      )}
      <LoadedItems state={tenants} what="tenants" empty="No tenants yet. Create the first one above.">
        {(items) => (
          <Table head={TENANT_COLUMNS} aria-describedby="tenants-title">
            {items.map((t) => (
              <TenantRow key={t.slug} tenant={t} stats={bySlug.get(t.slug)} config={config.data} onChange={refresh} />
            ))}
          </Table>
        )}
      </LoadedItems>
    </section>
  );
}
