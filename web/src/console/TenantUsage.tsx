// A tenant's usage tab: GET /v1/tenants/{slug}/usage over the window the operator picks
// (1 hour in 5-minute buckets, 24 hours in hours, 7 and 30 days in days, UTC): the
// window's totals, a small chart per measure (requests, p95 latency, database time,
// refusals by a limit), each with its numbers as a table, and storage and events against
// their quotas. A source the control plane could not read is said, and its figures are
// neither drawn nor shown as 0.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtDateTime, fmtNumber } from '../format';
import { useApi } from '../query';
import { Chart } from '../ui/Chart';
import { SelectField } from '../ui/forms';
import { Sparkline } from '../ui/Sparkline';
import { Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';
import type { TenantUsage as Usage, UsagePoint, UsageWindow } from './controlTypes';
import { QuotaBar } from './TenantQuotas';
import { bucketLabel, fmtMs, fmtSeconds } from './usage';

const WINDOWS = ['1h', '24h', '7d', '30d'] as const satisfies readonly UsageWindow[];
const KNOWN_SOURCES = ['clickhouse', 'samples'];

export function TenantUsage({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const [win, setWin] = useState<UsageWindow>('24h');
  const usage = useApi<Usage>(`/v1/tenants/${slug}/usage?window=${win}`, { refetchInterval: () => 60_000 });
  return (
    <section className="panel" aria-labelledby="tenant-usage">
      <h2 id="tenant-usage">{t('usage.title')}</h2>
      <div className="inline-form">
        <SelectField id="usage-window" label={t('usage.window')} value={win} onChange={(e) => setWin(e.target.value as UsageWindow)} options={WINDOWS.map((w) => [w, t(`usage.windows.${w}`)] as const)} />
      </div>
      <Loaded query={usage} what={t('usage.what', { slug })}>
        {(u) => <Report u={u} />}
      </Loaded>
    </section>
  );
}

function Report({ u }: { u: Usage }) {
  const { t } = useTranslation();
  const down = u.sources.filter((s) => !s.available);
  const requestsReadable = u.sources.find((s) => s.name === 'clickhouse')?.available !== false;
  const tt = u.totals;
  const gone = t('usage.unavailableValue');
  // Null from a source that is down is "unavailable"; null otherwise means nothing to count.
  const fig = <T,>(v: T | null | undefined, show: (v: T) => string) => (v != null ? show(v) : requestsReadable ? '—' : gone);
  const latency = [tt.p50_ms, tt.p95_ms, tt.p99_ms].every((v) => v == null) ? fig(null, String) : [tt.p50_ms, tt.p95_ms, tt.p99_ms].map((v) => (v == null ? '—' : fmtMs(v))).join(' · ');
  const totals: [string, string][] = [
    [t('usage.requests'), fig(tt.requests, fmtNumber)],
    [t('usage.refusedBy'), fig(tt.rejected, (r) => t('usage.refusedCounts', { rate: fmtNumber(r.rate_limited), busy: fmtNumber(r.tenant_busy), quota: fmtNumber(r.quota_exceeded) }))],
    [t('usage.latency'), latency],
    [t('usage.dbTime'), fig(tt.db_seconds, fmtSeconds)],
    [t('usage.waitTime'), fig(tt.wait_seconds, fmtSeconds)],
    [t('usage.rowsWritten'), tt.rows_written != null ? fmtNumber(tt.rows_written) : t('usage.rowsUnknown')],
  ];
  return (
    <>
      <p className="muted">{t('usage.range', { from: fmtDateTime(u.from), to: fmtDateTime(u.to), bucket: t(`usage.buckets.${u.bucket}`, { defaultValue: u.bucket }) })}</p>
      {down.map((s) => (
        <p key={s.name} className="status" role="status" data-source={s.name}>
          {t('usage.sourceDown', { source: KNOWN_SOURCES.includes(s.name) ? t(`usage.sources.${s.name}`) : s.name, note: s.note ?? '' })}
        </p>
      ))}
      <Table className="grid compact" aria-label={t('usage.totals')} data-testid="usage-totals">
        {totals.map(([k, v]) => (
          <Row key={k} cells={[k, v]} />
        ))}
      </Table>
      {requestsReadable ? (
        <div className="sparklines" data-testid="usage-charts">
          <Spark u={u} id="requests" name={t('usage.requests')} value={(p) => p.requests} show={fmtNumber} />
          <Spark u={u} id="p95" name={t('usage.p95')} value={(p) => p.p95_ms} show={fmtMs} color="#b45309" />
          <Spark u={u} id="db" name={t('usage.dbTime')} value={(p) => p.db_seconds} show={fmtSeconds} color="#16a34a" />
          <Spark u={u} id="rejected" name={t('usage.refused')} value={(p) => p.rejected} show={fmtNumber} color="#b91c1c" />
        </div>
      ) : (
        <p className="empty-state">{t('usage.noCharts')}</p>
      )}
      <QuotaBar kind="storage_bytes" label={t('limits.storage')} used={tt.storage_bytes} quota={tt.storage_quota_bytes} measuredAt={tt.storage_measured_at} over={tt.storage_over_quota} />
      <QuotaBar kind="events_per_month" label={t('limits.eventsMonth')} used={tt.events_month} quota={tt.events_quota} measuredAt={tt.events_measured_at} over={tt.events_over_quota} />
    </>
  );
}

/// One measure per bucket: a sparkline, and its numbers as the chart's table.
function Spark({ u, id, name, value, show, color }: { u: Usage; id: string; name: string; value: (p: UsagePoint) => number | null | undefined; show: (v: number) => string; color?: string }) {
  const { t } = useTranslation();
  const values = u.series.map(value);
  const last = u.series.length - 1;
  const rows = u.series.map((p, i) => [bucketLabel(u.bucket, p.at) + (i === last ? ` ${t('overview.partial')}` : ''), values[i] != null ? show(values[i] as number) : '—']);
  const peak = Math.max(0, ...values.map((v) => v ?? 0));
  return (
    <div className="spark" data-measure={id}>
      <h3>{name}</h3>
      <p className="hint">{t('usage.peak', { value: show(peak) })}</p>
      <Chart name={t('usage.chartName', { name, window: t(`usage.windows.${u.window}`) })} head={[t('usage.bucket'), name]} rows={rows}>
        <Sparkline values={values} open color={color} />
      </Chart>
    </div>
  );
}
