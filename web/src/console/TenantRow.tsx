import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { fmtDate } from '../format';
import { href } from '../routes';
import { Link } from '../router';
import type { ConsoleConfig, Tenant, TenantStats } from '../types';
import { Row, type Head } from '../ui/Table';
import { MigrationStatus } from './MigrationStatus';
import { useTenantActions } from './TenantActions';
import { usageText } from './usage';

export const tenantHead = (t: TFunction): Head[] => [
  { label: t('tenants.col.tenant'), sort: 'slug' },
  { label: t('tenants.col.state'), sort: 'state' },
  { label: t('tenants.col.plan'), sort: 'plan' },
  { label: t('tenants.col.created'), sort: 'created_at' },
  { label: t('tenants.col.schema') },
  { label: t('tenants.col.events') },
  { label: t('tenants.col.requests') },
  { label: t('tenants.col.migrations') },
  { label: t('tenants.col.actions') },
];
const COLUMNS = 9;

/// A tenant's row (its name opens the tenant's page), its actions, and (in a row below
/// it) the dialog an action opened.
export function TenantRow({ tenant: x, stats: s, config, onChange, highlighted }: { tenant: Tenant; stats?: TenantStats; config: ConsoleConfig | null; onChange: () => void; highlighted?: boolean }) {
  const { t } = useTranslation();
  const { buttons, dialog } = useTenantActions(x, config, onChange);
  const live = x.state === 'active' || x.state === 'suspended';
  const usage = usageText(s);
  return (
    <>
      <Row
        data-tenant={x.slug}
        className={highlighted ? 'created' : undefined}
        cells={[
          <>
            <div>
              <Link to={href('consoleTenant', { slug: x.slug })}>{x.display_name}</Link>
            </div>
            <code>{x.slug}</code>
          </>,
          <TenantState state={x.state} />,
          t(`plans.${x.plan}`, { defaultValue: x.plan }),
          fmtDate(x.created_at),
          usage.schema,
          usage.events,
          usage.requests,
          live ? <MigrationStatus tenant={x} target={config?.tenant_migration_target} /> : '—',
        ]}
      >
        <td className="actions">{buttons}</td>
      </Row>
      {dialog && <DialogRow>{dialog}</DialogRow>}
    </>
  );
}

export function TenantState({ state }: { state: string }) {
  const { t } = useTranslation();
  return <span className={`badge ${state}`}>{t(`states.tenant.${state}`, { defaultValue: state })}</span>;
}

function DialogRow({ children }: { children: ReactNode }) {
  return (
    <tr>
      <td colSpan={COLUMNS}>{children}</td>
    </tr>
  );
}
