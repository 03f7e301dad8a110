import type { Tenant } from '../types';

/// Where a tenant's schema stands against the migrations this control plane carries.
export function MigrationStatus({ tenant, target }: { tenant: Tenant; target?: number }) {
  if (tenant.migration_error) return <span className="bad">failed: {tenant.migration_error}</span>;
  if (target && tenant.migration_version < target) {
    return (
      <span className="warn">
        v{tenant.migration_version} of {target}
      </span>
    );
  }
  return <span className="ok">v{tenant.migration_version} · up to date</span>;
}
