// The tenant's analytics: trends with a range picker, daily and weekly active users, a
// funnel builder, top pages and dwell time. Charts are Recharts; each has a name,
// loading, error and empty states, and its numbers as a table (ui/Chart.tsx).
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { post, type ApiError } from '../api/client';
import { useAction } from '../data';
import { fmtNumber } from '../format';
import { useApi, type Query } from '../query';
import { Chart } from '../ui/Chart';
import { FormError, SelectField } from '../ui/forms';
import { Empty, Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';
import { useTenantTimeZone } from './settings';
import type { ActiveUsers, DwellRow, Funnel as FunnelResult, FunnelStepSpec as Step, PageRow, TrendBucket } from '../types';

const RANGES = ['7', '30', '90'] as const;
type Days = (typeof RANGES)[number];
const EVENTS = ['pageview', 'click', 'dwell', 'api_request', 'customer_created', 'deal_created', 'deal_stage_changed', 'order_created'];
const KINDS = ['event', 'path', 'property'] as const;
// Periods are whole days (or weeks) in the tenant's time zone (its settings); the
// browser's stands in until they have loaded.
const BROWSER_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const WON: Step = { kind: 'property', name: 'deal_stage_changed', key: 'to', value: 'won' };
const PRESETS = {
  visitCustomerDealWon: [{ kind: 'path', route: '/' }, { kind: 'event', name: 'customer_created' }, { kind: 'event', name: 'deal_created' }, WON],
  leadWon: [{ kind: 'property', name: 'deal_created', key: 'stage', value: 'lead' }, WON],
} satisfies Record<string, Step[]>;
type Preset = keyof typeof PRESETS;

/// The last `days` days, up to now. The charts keep the window from when it was picked
/// (picking it again refreshes them); the funnel asks for the last `days` days on every run.
function rangeOf(days: Days) {
  return { days, to: new Date() };
}

export function Dashboard({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const [{ days, to }, setRange] = useState(() => rangeOf('30'));
  const [name, setName] = useState('pageview');
  const tz = useTenantTimeZone(slug, BROWSER_TZ);
  const range = `tz=${encodeURIComponent(tz)}&days=${days}&to=${to.toISOString()}`;
  const base = `/v1/t/${slug}/analytics`;
  const trends = useApi<TrendBucket[]>(`${base}/trends?${range}&name=${name}`);
  const active = useApi<ActiveUsers>(`${base}/active-users?${range}`);
  const pages = useApi<PageRow[]>(`${base}/top-pages?${range}&limit=10`);
  const dwell = useApi<DwellRow[]>(`${base}/dwell?${range}&limit=10`);
  const day = (s: string) => s.slice(5, 10);
  const trendTitle = t('dashboard.trend', { name });
  return (
    <section aria-labelledby="dash-title" className="dashboard">
      <h1 id="dash-title">{t('titles.dashboard')}</h1>
      <form className="inline-form" aria-label={t('dashboard.rangeForm')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="range" label={t('dashboard.range')} value={days} onChange={(e) => setRange(rangeOf(e.target.value as Days))} options={RANGES.map((r) => [r, t('dashboard.lastDays', { n: Number(r) })] as const)} data-track="dashboard-range" />
        <SelectField id="trend-event" label={t('dashboard.event')} value={name} onChange={(e) => setName(e.target.value)} options={EVENTS.map((e) => [e, e] as const)} />
      </form>

      <div className="panels">
        <Panel title={trendTitle} query={trends} empty={(d) => d.every((b) => b.n === 0)}>
          {(d) => (
            <Chart
              name={trendTitle}
              head={[t('dashboard.day'), t('dashboard.count')]}
              rows={d.map((b) => [day(b.start) + (b.complete ? '' : ` ${t('dashboard.partial')}`), fmtNumber(b.n)])}
            >
              <ResponsiveContainer width="100%" height={220}>
                {/* Incomplete periods (the current one) are a dashed second line, joined to the last complete one; no smoothing across periods. */}
                <LineChart data={d.map((b, i) => ({ day: day(b.start), n: b.complete ? b.n : undefined, open: b.complete && d[i + 1]?.complete !== false ? undefined : b.n }))}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="day" />
                  <YAxis allowDecimals={false} />
                  <Tooltip />
                  <Line type="linear" dataKey="n" name={name} stroke="#2f5bea" dot={false} isAnimationActive={false} />
                  <Line type="linear" dataKey="open" name={t('dashboard.soFar', { name })} stroke="#2f5bea" strokeDasharray="4 4" dot={false} isAnimationActive={false} />
                </LineChart>
              </ResponsiveContainer>
            </Chart>
          )}
        </Panel>
        <Panel title={t('dashboard.active')} query={active} empty={(d) => d.totals.users === 0}>
          {(d) => {
            const daily = d.series.day.map((r) => ({ label: day(r.start), users: r.users }));
            const weekly = d.series.week.map((r) => ({ week: day(r.start) + (r.complete ? '' : ` ${t('dashboard.partial')}`), users: r.users }));
            return (
              <>
                <h3>{t('dashboard.daily')}</h3>
                <UserBars name={t('dashboard.dailyActive')} head={t('dashboard.day')} data={daily} height={140} fill="#2f5bea" />
                <h3>{t('dashboard.weekly')}</h3>
                <Table className="grid compact" data-testid="weekly-active">
                  {weekly.map((w) => (
                    <Row key={w.week} cells={[t('dashboard.weekOf', { week: w.week }), t('dashboard.users', { n: fmtNumber(w.users) })]} />
                  ))}
                </Table>
              </>
            );
          }}
        </Panel>
        <Funnel slug={slug} days={days} tz={tz} />
        <Panel title={t('dashboard.topPages')} query={pages} empty={(d) => d.length === 0}>
          {(d) => (
            <Table className="grid compact" data-testid="top-pages" head={[t('dashboard.page'), t('dashboard.views'), t('dashboard.visitors')]}>
              {d.map((p) => (
                <Row key={p.route} cells={[<code>{p.route}</code>, fmtNumber(p.views), fmtNumber(p.visitors)]} />
              ))}
            </Table>
          )}
        </Panel>
        <Panel title={t('dashboard.dwell')} query={dwell} empty={(d) => d.length === 0}>
          {(d) => {
            const rows = d.map((r) => ({ path: r.route, seconds: Math.round(r.avg_ms / 100) / 10 }));
            return (
              <Chart name={t('dashboard.dwell')} head={[t('dashboard.page'), t('dashboard.avgSeconds')]} rows={rows.map((r) => [r.path, fmtNumber(r.seconds)])}>
                <ResponsiveContainer width="100%" height={220}>
                  <BarChart data={rows} layout="vertical" margin={{ left: 40 }}>
                    <XAxis type="number" unit=" s" />
                    <YAxis type="category" dataKey="path" width={140} />
                    <Tooltip />
                    <Bar dataKey="seconds" name={t('dashboard.avgSeconds')} fill="#16a34a" isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
              </Chart>
            );
          }}
        </Panel>
      </div>
    </section>
  );
}

/// Users per day, per funnel step…: one bar each.
function UserBars({ name, head, data, height, fill }: { name: string; head: string; data: { label: string; users: number }[]; height: number; fill: string }) {
  const { t } = useTranslation();
  return (
    <Chart name={name} head={[head, t('dashboard.usersHead')]} rows={data.map((d) => [d.label, fmtNumber(d.users)])}>
      <ResponsiveContainer width="100%" height={height}>
        <BarChart data={data}>
          <XAxis dataKey="label" />
          <YAxis allowDecimals={false} />
          <Tooltip />
          <Bar dataKey="users" name={t('dashboard.usersHead')} fill={fill} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </Chart>
  );
}

function Panel<T>({ title, query, empty, children }: { title: string; query: Query<T>; empty: (d: T) => boolean; children: (d: T) => ReactNode }) {
  const { t } = useTranslation();
  const unreachable = (e: ApiError) => (e.code === 'analytics_unavailable' ? t('dashboard.unreachable') : null);
  return (
    <section className="panel chart" aria-label={title}>
      <h2>{title}</h2>
      <Loaded query={query} what={title} isEmpty={empty} empty={t('dashboard.noData')} explain={unreachable}>
        {children}
      </Loaded>
    </section>
  );
}

function Funnel({ slug, days, tz }: { slug: string; days: Days; tz: string }) {
  const { t } = useTranslation();
  const [preset, setPreset] = useState<Preset>('visitCustomerDealWon');
  const [steps, setSteps] = useState<Step[]>(PRESETS[preset]);
  const [result, setResult] = useState<FunnelResult | null>(null);
  const action = useAction();
  const run = async () => {
    setResult(await post<FunnelResult>(`/v1/t/${slug}/analytics/funnel`, { steps, window_s: 30 * 86400, days: Number(days), tz }));
  };
  const setStep = (i: number, s: Step) => setSteps(steps.map((x, j) => (j === i ? s : x)));
  const withKind = (s: Step, kind: Step['kind']): Step => {
    const name = s.kind === 'path' ? 'pageview' : (s.name ?? 'pageview');
    return kind === 'path' ? { kind, route: '/' } : kind === 'event' ? { kind, name } : { kind, name, key: '', value: '' };
  };
  const label = (s: Step) =>
    s.kind === 'path' ? t('dashboard.visit', { route: s.route }) : s.kind === 'event' ? s.name : `${s.name ?? t('dashboard.anyEvent')} (${s.key}=${s.value})`;
  const pct = (n: number) => fmtNumber(n / 100, { style: 'percent', maximumFractionDigits: 1 });
  return (
    <section className="panel chart" aria-label={t('dashboard.funnel')}>
      <h2>{t('dashboard.funnel')}</h2>
      <div className="inline-form">
        <SelectField
          id="funnel-preset"
          label={t('dashboard.preset')}
          value={preset}
          onChange={(e) => {
            const p = e.target.value as Preset;
            setPreset(p);
            setSteps(PRESETS[p]);
          }}
          options={(Object.keys(PRESETS) as Preset[]).map((p) => [p, t(`dashboard.presets.${p}`)] as const)}
        />
      </div>
      <ol className="steps">
        {steps.map((s, i) => (
          <li key={i}>
            <label>
              <span className="sr-only">{t('dashboard.stepKind', { n: i + 1 })}</span>
              <select value={s.kind} onChange={(e) => setStep(i, withKind(s, e.target.value as Step['kind']))}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`dashboard.kinds.${k}`)}
                  </option>
                ))}
              </select>
            </label>
            {s.kind === 'path' ? (
              <label>
                <span className="sr-only">{t('dashboard.stepRoute', { n: i + 1 })}</span>
                <input placeholder="/customers/:id" value={s.route} onChange={(e) => setStep(i, { ...s, route: e.target.value })} />
              </label>
            ) : (
              <label>
                <span className="sr-only">{t('dashboard.stepEvent', { n: i + 1 })}</span>
                <select value={s.name ?? ''} onChange={(e) => setStep(i, { ...s, name: e.target.value || undefined } as Step)}>
                  {s.kind === 'property' && <option value="">{t('dashboard.anyEvent')}</option>}
                  {EVENTS.map((n) => (
                    <option key={n}>{n}</option>
                  ))}
                </select>
              </label>
            )}
            {s.kind === 'property' && (
              <>
                <label>
                  <span className="sr-only">{t('dashboard.stepKey', { n: i + 1 })}</span>
                  <input placeholder={t('dashboard.keyPlaceholder')} size={8} value={s.key} onChange={(e) => setStep(i, { ...s, key: e.target.value })} />
                </label>
                <label>
                  <span className="sr-only">{t('dashboard.stepValue', { n: i + 1 })}</span>
                  <input placeholder={t('dashboard.valuePlaceholder')} size={8} value={s.value} onChange={(e) => setStep(i, { ...s, value: e.target.value })} />
                </label>
              </>
            )}
            {steps.length > 2 && (
              <button type="button" className="secondary" onClick={() => setSteps(steps.filter((_, j) => j !== i))} aria-label={t('dashboard.removeStep', { n: i + 1 })}>
                {'✕'}
              </button>
            )}
          </li>
        ))}
      </ol>
      <button type="button" className="secondary" onClick={() => setSteps([...steps, { kind: 'event', name: 'pageview' }])} disabled={steps.length >= 6}>
        {t('dashboard.addStep')}
      </button>{' '}
      <button type="button" onClick={() => void action.run(run)} disabled={action.busy} data-track="run-funnel">
        {action.busy ? t('dashboard.running') : t('dashboard.showFunnel')}
      </button>
      <FormError error={action.error} />
      {result &&
        (result.steps[0]?.users === 0 ? (
          <Empty>{t('dashboard.nobody')}</Empty>
        ) : (
          <>
            <UserBars name={t('dashboard.funnel')} head={t('dashboard.step')} data={result.steps.map((r) => ({ label: label(r.step), users: r.users }))} height={180} fill="#9333ea" />
            <Table className="grid compact" data-testid="funnel-result" head={[t('dashboard.step'), t('dashboard.usersHead'), t('dashboard.fromPrevious'), t('dashboard.fromFirst')]}>
              {result.steps.map((r, i) => (
                <Row key={i} cells={[label(r.step), fmtNumber(r.users), pct(r.conversion_from_previous), pct(r.conversion_from_first)]} />
              ))}
            </Table>
          </>
        ))}
    </section>
  );
}
