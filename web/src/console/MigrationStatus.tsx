import { useTranslation } from 'react-i18next';
import type { Tenant } from '../types';

/// Where a tenant's schema stands against the migrations this control plane carries.
export function MigrationStatus({ tenant, target }: { tenant: Tenant; target?: number }) {
  const { t } = useTranslation();
  if (tenant.migration_error) return <span className="bad">{t('migrations.failed', { error: tenant.migration_error })}</span>;
  if (target && tenant.migration_version < target) return <span className="warn">{t('migrations.behind', { version: tenant.migration_version, target })}</span>;
  return <span className="ok">{t('migrations.upToDate', { version: tenant.migration_version })}</span>;
}
