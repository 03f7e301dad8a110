// A tenant's storage and events against its quotas, as the control plane last measured
// them (the schema's size every few minutes, this month's events every minute), and the
// badges that say the data plane is refusing its writes or its events. What was never
// measured says so: a quota bar at zero would claim a measurement.
import { useTranslation } from 'react-i18next';
import { fmtDateTime, fmtNumber } from '../format';
import type { TenantDetail } from './controlTypes';
import { fmtLimit, type LimitField } from './limits';

/// "over storage quota", "over events quota", when the flags are set.
export function QuotaBadges({ tenant }: { tenant: Pick<TenantDetail, 'storage_over_quota' | 'events_over_quota'> }) {
  const { t } = useTranslation();
  return (
    <>
      {tenant.storage_over_quota && (
        <span className="badge failed" data-testid="over-storage">
          {t('limits.overStorage')}
        </span>
      )}
      {tenant.events_over_quota && (
        <span className="badge failed" data-testid="over-events">
          {t('limits.overEvents')}
        </span>
      )}
    </>
  );
}

export function TenantQuotas({ tenant }: { tenant: TenantDetail }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="tenant-quotas">
      <h2 id="tenant-quotas">{t('limits.quotas')}</h2>
      <QuotaBar kind="storage_bytes" label={t('limits.storage')} used={tenant.storage_bytes} quota={tenant.limits.storage_bytes} measuredAt={tenant.storage_measured_at} over={tenant.storage_over_quota} />
      <QuotaBar kind="events_per_month" label={t('limits.eventsMonth')} used={tenant.events_month} quota={tenant.limits.events_per_month} measuredAt={tenant.events_measured_at} over={tenant.events_over_quota} />
      <p className="hint">{t('limits.quotasHint')}</p>
    </section>
  );
}

/// One measure against its quota: "1.2 GiB of 5 GiB (24 %)", a meter, and when.
export function QuotaBar({ kind, label, used, quota, measuredAt, over }: { kind: LimitField; label: string; used?: number | null; quota: number; measuredAt?: string | null; over: boolean }) {
  const { t } = useTranslation();
  const share = quota > 0 && used != null ? used / quota : null;
  return (
    <div className="quota" data-quota={kind}>
      <h3>{label}</h3>
      {used == null ? (
        <p className="muted">{t('limits.notMeasured', { quota: fmtLimit(kind, quota) })}</p>
      ) : (
        <>
          <p>
            <span data-testid="used-of">{t('limits.usedOf', { used: fmtLimit(kind, used), quota: fmtLimit(kind, quota), share: share == null ? '—' : fmtNumber(share, { style: 'percent', maximumFractionDigits: 1 }) })}</span>{' '}
            {over && <span className="badge failed">{t(kind === 'storage_bytes' ? 'limits.overStorage' : 'limits.overEvents')}</span>}
          </p>
          <meter min={0} max={Math.max(quota, 1)} value={Math.min(used, Math.max(quota, 1))} high={quota * 0.9} optimum={0} aria-label={label} />
          {measuredAt && <p className="hint">{t('limits.measuredAt', { at: fmtDateTime(measuredAt) })}</p>}
        </>
      )}
    </div>
  );
}
