// The operator's overview: tenants by state and plan (each count opens the tenants it
// counts), requests and events per hour over the last day, whether each process is
// ready and how old the newest backup is, the busiest tenants, all tenants' usage together and the top tenants by each
// measure (OverviewUsage.tsx). Looked at again every 30 s.
import { useTranslation } from 'react-i18next';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { fmtAge, fmtDateTime, fmtNumber } from '../format';
import { i18n } from '../i18n';
import { useApi } from '../query';
import { href } from '../routes';
import { Link } from '../router';
import { Chart } from '../ui/Chart';
import { Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';
import type { Overview as OverviewData } from './controlTypes';
import { TopUsage, TotalUsage } from './OverviewUsage';
import { PLANS, TENANT_STATES } from './plans';
import { TenantState } from './TenantRow';
import { usageText } from './usage';

const READINESS_CLASS = { ready: 'active', unready: 'failed', unknown: 'provisioning' } as const;

export function Overview() {
  const { t } = useTranslation();
  const overview = useApi<OverviewData>('/v1/overview', { refetchInterval: () => 30_000 });
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">{t('titles.overview')}</h1>
      <Loaded query={overview} what={t('overview.what')}>
        {(o) => (
          <>
            <p className="muted">{t('overview.asOf', { at: fmtDateTime(o.generated_at) })}</p>
            <div className="panels">
              <TenantCounts o={o} />
              <Readiness o={o} />
              <Activity o={o} />
              <TopTenants o={o} />
              <TotalUsage o={o} />
            </div>
            <TopUsage o={o} />
          </>
        )}
      </Loaded>
    </section>
  );
}

function TenantCounts({ o }: { o: OverviewData }) {
  const { t } = useTranslation();
  const tenants = href('consoleTenants', {});
  return (
    <section className="panel" aria-labelledby="overview-tenants">
      <h2 id="overview-tenants">{t('overview.tenants', { n: fmtNumber(o.tenants.total) })}</h2>
      <Table className="grid compact" head={[t('overview.byState'), t('overview.count')]} aria-label={t('overview.byState')} data-testid="by-state">
        {TENANT_STATES.map((s) => (
          <Row key={s} data-state={s} cells={[<TenantState state={s} />, <Link to={`${tenants}?state=${s}`}>{fmtNumber(o.tenants.by_state[s] ?? 0)}</Link>]} />
        ))}
      </Table>
      <Table className="grid compact" head={[t('overview.byPlan'), t('overview.count')]} aria-label={t('overview.byPlan')} data-testid="by-plan">
        {PLANS.map((p) => (
          <Row key={p} data-plan={p} cells={[t(`plans.${p}`), <Link to={`${tenants}?plan=${p}`}>{fmtNumber(o.tenants.by_plan[p] ?? 0)}</Link>]} />
        ))}
      </Table>
      <p className="hint">{t('overview.planHint')}</p>
    </section>
  );
}

function Readiness({ o }: { o: OverviewData }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="overview-health">
      <h2 id="overview-health">{t('overview.health')}</h2>
      <Table className="grid compact" head={[t('overview.process'), t('overview.status'), t('overview.checked')]} aria-label={t('overview.health')} data-testid="readiness">
        {o.readiness.map((r) => (
          <Row
            key={r.process}
            data-process={r.process}
            cells={[
              t(`overview.processes.${r.process}`, { defaultValue: r.process }),
              <span className={`badge ${READINESS_CLASS[r.status]}`}>{t(`overview.readiness.${r.status}`)}</span>,
              // The control plane is ready by answering; the other checks are commands, or errors as the server words them.
              r.process === 'control' && r.status === 'ready' ? t('overview.controlAnswering') : <code className="detail">{r.detail}</code>,
            ]}
          />
        ))}
      </Table>
      <h3>{t('overview.lastBackup')}</h3>
      <LastBackup b={o.last_backup} />
    </section>
  );
}

/// The newest backup's age as the Backups page says it; null when backups are not
/// configured or pgBackRest could not be asked, which is said too (never "no backup").
function LastBackup({ b }: { b: OverviewData['last_backup'] }) {
  const { t } = useTranslation();
  const link = <Link to={href('consoleBackups', {})}>{t('overview.backupsLink')}</Link>;
  if (!b) {
    return (
      <p className="muted" data-testid="last-backup">
        {t('overview.backupUnknown')} {link}
      </p>
    );
  }
  return (
    <p className={b.stale ? 'form-error' : 'status'} data-testid="last-backup">
      {b.age_s == null ? t('backups.none') : t('backups.newest', { age: fmtAge(b.age_s) })}
      {b.stale && t('overview.backupStale')}
      {b.running && t('backups.running')} {link}
    </p>
  );
}

function Activity({ o }: { o: OverviewData }) {
  const { t } = useTranslation();
  const a = o.activity;
  const title = t('overview.activity');
  const series = (name: string) => a.series.find((s) => s.name === name)?.points ?? [];
  const requests = series('requests');
  const events = series('events');
  const hours = new Intl.DateTimeFormat(i18n.language, { hour: '2-digit', minute: '2-digit' });
  const hour = (at: string) => hours.format(new Date(at));
  // The hour in progress is drawn dashed, joined to the last whole hour; no smoothing.
  const data = requests.map((p, i) => {
    const e = events[i];
    const open = (pt: typeof p | undefined) => (pt && (pt.partial || requests[i + 1]?.partial) ? pt.count : undefined);
    return { hour: hour(p.at), requests: p.partial ? undefined : p.count, events: e?.partial ? undefined : e?.count, requestsOpen: open(p), eventsOpen: open(e) };
  });
  const rows = requests.map((p, i) => [hour(p.at) + (p.partial ? ` ${t('overview.partial')}` : ''), fmtNumber(p.count), fmtNumber(events[i]?.count ?? 0)]);
  return (
    <section className="panel" aria-labelledby="overview-activity">
      <h2 id="overview-activity">{title}</h2>
      {!a.available ? (
        <p className="empty-state">{a.source ? t('overview.activityUnreadable') : t('overview.activityNotConfigured')}</p>
      ) : (
        <>
          <Chart name={title} head={[t('overview.hour'), t('overview.requests'), t('overview.events')]} rows={rows}>
            <ResponsiveContainer width="100%" height={220}>
              <LineChart data={data}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="hour" minTickGap={16} />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Legend />
                <Line type="linear" dataKey="requests" name={t('overview.requests')} stroke="#2f5bea" dot={false} isAnimationActive={false} />
                <Line type="linear" dataKey="events" name={t('overview.events')} stroke="#16a34a" dot={false} isAnimationActive={false} />
                <Line type="linear" dataKey="requestsOpen" name={t('overview.soFar', { name: t('overview.requests') })} stroke="#2f5bea" strokeDasharray="4 4" dot={false} isAnimationActive={false} legendType="none" />
                <Line type="linear" dataKey="eventsOpen" name={t('overview.soFar', { name: t('overview.events') })} stroke="#16a34a" strokeDasharray="4 4" dot={false} isAnimationActive={false} legendType="none" />
              </LineChart>
            </ResponsiveContainer>
          </Chart>
          <p className="hint">{t('overview.activityHint')}</p>
        </>
      )}
    </section>
  );
}

function TopTenants({ o }: { o: OverviewData }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="overview-top">
      <h2 id="overview-top">{t('overview.top')}</h2>
      {o.top_tenants.length === 0 ? (
        <p className="empty-state">{t('overview.noTenants')}</p>
      ) : (
        <Table className="grid compact" head={[t('tenants.col.tenant'), t('tenants.col.events'), t('tenants.col.schema'), t('tenants.col.requests')]} aria-label={t('overview.top')} data-testid="top-tenants">
          {o.top_tenants.map((s) => {
            const usage = usageText(s);
            return <Row key={s.slug} data-tenant={s.slug} cells={[<Link to={href('consoleTenant', { slug: s.slug })}>{s.slug}</Link>, usage.events, usage.schema, usage.requests]} />;
          })}
        </Table>
      )}
      <p className="hint">{t('overview.topHint')}</p>
    </section>
  );
}
