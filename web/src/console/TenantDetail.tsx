// One tenant's page: who suspended it and why, its actions (as on the tenants list),
// name, plan and limits, storage and events against their quotas, migration state and usage, its users (paged; a new invite link or a
// password reset link each), its API keys, and its audit trail.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtDate, fmtDateTime, fmtNumber } from '../format';
import { invalidate, useApi } from '../query';
import { href } from '../routes';
import { Link, navigate } from '../router';
import type { ConsoleConfig } from '../types';
import { Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';
import { Tabs } from '../ui/Tabs';
import { AuditEntries } from './AuditEntries';
import type { TenantDetail as Detail } from './controlTypes';
import { useTenantActions } from './TenantActions';
import { TenantKeys } from './TenantKeys';
import { QuotaBadges, TenantQuotas } from './TenantQuotas';
import { TenantState } from './TenantRow';
import { TenantSettings } from './TenantSettings';
import { TenantUsage } from './TenantUsage';
import { TenantUsers } from './TenantUsers';
import { usageText } from './usage';

type Tab = 'details' | 'usage';

export function TenantDetail({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const detail = useApi<Detail>(`/v1/tenants/${slug}`);
  return (
    <section aria-labelledby="tenant-title">
      <p>
        <Link to={href('consoleTenants', {})}>{t('tenantDetail.back')}</Link>
      </p>
      <Loaded query={detail} what={t('tenantDetail.what', { slug })}>
        {(d) => <Tenant d={d} />}
      </Loaded>
    </section>
  );
}

function Tenant({ d }: { d: Detail }) {
  const { t } = useTranslation();
  const config = useApi<ConsoleConfig>('/v1/console-config');
  const refresh = () => {
    void invalidate('/v1/tenants');
    void invalidate('/v1/tenant-stats');
    void invalidate('/v1/audit');
  };
  const { buttons, dialog } = useTenantActions(d, config.data ?? null, refresh);
  const live = d.state === 'active' || d.state === 'suspended';
  const s = d.suspension;
  const usage = usageText(d.usage);
  const [tab, setTab] = useState<Tab>(() => (new URLSearchParams(location.search).get('tab') === 'usage' ? 'usage' : 'details'));
  const select = (next: Tab) => {
    setTab(next);
    navigate(`${location.pathname}${next === 'usage' ? '?tab=usage' : ''}`, true);
  };
  const facts: [string, string][] = [
    [t('tenantDetail.plan'), t(`plans.${d.plan}`, { defaultValue: d.plan })],
    [t('tenantDetail.created'), fmtDate(d.created_at)],
    [t('tenantDetail.migration'), d.migration.error ? t('migrations.failed', { error: d.migration.error }) : d.migration.pending ? t('migrations.behind', { version: d.migration.applied_version, target: d.migration.latest_version }) : t('migrations.upToDate', { version: d.migration.applied_version })],
    [t('tenantDetail.users'), d.users ? t('tenantDetail.userCounts', { active: fmtNumber(d.users.active), invited: fmtNumber(d.users.invited), admins: fmtNumber(d.users.admins), disabled: fmtNumber(d.users.disabled) }) : '—'],
    [t('tenantDetail.keys'), t('tenantDetail.keyCounts', { active: fmtNumber(d.keys.active), revoked: fmtNumber(d.keys.revoked) })],
    [t('tenants.col.schema'), usage.schema],
    [t('tenants.col.events'), usage.events],
    [t('tenants.col.requests'), usage.requests],
    [t('tenantDetail.timeout'), t('tenantDetail.ms', { ms: fmtNumber(d.statement_timeout_ms) })],
    [t('tenantDetail.tier'), t(`tiers.${d.tier}`, { defaultValue: d.tier })],
    [t('tenantDetail.schema'), `${d.pool_name ?? d.schema_name} · ${d.cluster_id}`],
  ];
  const details = (
    <>
      <div className="panels">
        <section className="panel" aria-labelledby="tenant-facts">
          <h2 id="tenant-facts">{t('tenantDetail.facts')}</h2>
          <Table className="grid compact" aria-label={t('tenantDetail.facts')} data-testid="facts">
            {facts.map(([k, v]) => (
              <Row key={k} cells={[k, v]} />
            ))}
          </Table>
        </section>
        {live && <TenantSettings tenant={d} onSaved={refresh} />}
        {live && <TenantQuotas tenant={d} />}
      </div>
      {live && <TenantUsers slug={d.slug} apiUrl={config.data?.api_url ?? ''} />}
      {live && <TenantKeys slug={d.slug} onChange={refresh} />}
      <section className="panel" aria-labelledby="tenant-audit">
        <h2 id="tenant-audit">{t('tenantDetail.audit')}</h2>
        <AuditEntries params={{ tenant_slug: d.slug }} label={t('tenantDetail.auditOf', { slug: d.slug })} />
      </section>
    </>
  );
  return (
    <>
      <h1 id="tenant-title">
        {d.display_name} <TenantState state={d.state} />
      </h1>
      <p className="actions">
        <code>{d.slug}</code> <QuotaBadges tenant={d} />
      </p>
      {s && (
        <p className="status" role="status" data-testid="suspension">
          {t('tenantDetail.suspended', { at: s.at ? fmtDateTime(s.at) : '—', by: s.by_display ?? s.by ?? '—', reason: s.reason ?? t('audit.says.noReason') })}
        </p>
      )}
      <div className="panel" aria-label={t('tenants.col.actions')} role="group">
        <div className="actions">{buttons}</div>
        {dialog}
      </div>
      {live ? (
        <Tabs label={t('tenantDetail.tabs', { slug: d.slug })} tabs={[['details', t('tenantDetail.tabDetails')], ['usage', t('tenantDetail.tabUsage')]] as const} selected={tab} onSelect={select}>
          {tab === 'usage' ? <TenantUsage slug={d.slug} /> : details}
        </Tabs>
      ) : (
        details
      )}
    </>
  );
}
