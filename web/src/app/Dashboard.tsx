// The tenant's analytics: trends with a range picker, daily and weekly active users, a
// funnel builder, top pages and dwell time. Charts are Recharts; each has loading and
// empty states, and a table beside it for screen readers.
import { useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { post, type ApiError } from '../api';
import { useAction, useGet, type Resource } from '../data';
import type { ActiveUsers, DwellRow, Funnel as FunnelResult, FunnelStepSpec as Step, PageRow, TrendBucket } from '../types';
import { FormError, SelectField } from '../ui/forms';
import { Empty, Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';

const RANGES = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
] as const;
type Days = (typeof RANGES)[number][0];
const EVENTS = ['pageview', 'click', 'dwell', 'api_request', 'customer_created', 'deal_created', 'deal_stage_changed', 'order_created'];
const KINDS = [
  ['event', 'Event'],
  ['path', 'Page'],
  ['property', 'Property'],
] as const;
// Periods are counted in the browser's zone until the tenant has one configured.
const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

const WON: Step = { kind: 'property', name: 'deal_stage_changed', key: 'to', value: 'won' };
const PRESETS = {
  'Visit → Customer → Deal → Won': [
    { kind: 'path', route: '/' },
    { kind: 'event', name: 'customer_created' },
    { kind: 'event', name: 'deal_created' },
    WON,
  ],
  'Lead → Won': [{ kind: 'property', name: 'deal_created', key: 'stage', value: 'lead' }, WON],
} satisfies Record<string, Step[]>;
type Preset = keyof typeof PRESETS;

/// The last `days` days, up to now. The charts keep the window from when it was picked
/// (picking it again refreshes them); the funnel asks for the last `days` days on every run.
function rangeOf(days: Days) {
  return { days, to: new Date() };
}

export function Dashboard({ slug }: { slug: string }) {
  const [{ days, to }, setRange] = useState(() => rangeOf('30'));
  const [name, setName] = useState('pageview');
  const range = `tz=${encodeURIComponent(TZ)}&days=${days}&to=${to.toISOString()}`;
  const base = `/v1/t/${slug}/analytics`;
  const trends = useGet<TrendBucket[]>(`${base}/trends?${range}&name=${name}`);
  const active = useGet<ActiveUsers>(`${base}/active-users?${range}`);
  const pages = useGet<PageRow[]>(`${base}/top-pages?${range}&limit=10`);
  const dwell = useGet<DwellRow[]>(`${base}/dwell?${range}&limit=10`);
  const day = (s: string) => s.slice(5, 10);
  return (
    <section aria-labelledby="dash-title" className="dashboard">
      <h1 id="dash-title">Dashboard</h1>
      <form className="inline-form" aria-label="Dashboard range" onSubmit={(e) => e.preventDefault()}>
        <SelectField id="range" label="Range" value={days} onChange={(e) => setRange(rangeOf(e.target.value as Days))} options={RANGES} data-track="dashboard-range" />
        <SelectField id="trend-event" label="Event" value={name} onChange={(e) => setName(e.target.value)} options={EVENTS} />
      </form>

      <div className="panels">
        <Panel title={`Trend: ${name}`} state={trends} empty={(d) => d.every((b) => b.n === 0)}>
          {(d) => (
            <ResponsiveContainer width="100%" height={220}>
              {/* Incomplete periods (the current one) are a dashed second line, joined to the last complete one. */}
              <LineChart data={d.map((b, i) => ({ day: day(b.start), n: b.complete ? b.n : undefined, open: b.complete && d[i + 1]?.complete !== false ? undefined : b.n }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Line type="linear" dataKey="n" name={name} stroke="#2f5bea" dot={false} isAnimationActive={false} />
                <Line type="linear" dataKey="open" name={`${name} (so far)`} stroke="#2f5bea" strokeDasharray="4 4" dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          )}
        </Panel>
        <Panel title="Active users" state={active} empty={(d) => d.totals.users === 0}>
          {(d) => {
            const daily = d.series.day.map((r) => ({ label: day(r.start), users: r.users }));
            const weekly = d.series.week.map((r) => ({ week: day(r.start) + (r.complete ? '' : ' (partial)'), users: r.users }));
            return (
              <>
                <h3>Daily</h3>
                <UserBars data={daily} height={140} fill="#2f5bea" />
                <h3>Weekly</h3>
                <Table className="grid compact" data-testid="weekly-active">
                  {weekly.map((w) => (
                    <Row key={w.week} cells={[`week of ${w.week}`, `${w.users} users`]} />
                  ))}
                </Table>
              </>
            );
          }}
        </Panel>
        <Funnel slug={slug} days={days} />
        <Panel title="Top pages" state={pages} empty={(d) => d.length === 0}>
          {(d) => (
            <Table className="grid compact" data-testid="top-pages" head={['Page', 'Views', 'Visitors']}>
              {d.map((p) => (
                <Row
                  key={p.route}
                  cells={[
                    <code>{p.route}</code>,
                    p.views,
                    p.visitors,
                  ]}
                />
              ))}
            </Table>
          )}
        </Panel>
        <Panel title="Dwell time per page" state={dwell} empty={(d) => d.length === 0}>
          {(d) => (
            <ResponsiveContainer width="100%" height={220}>
              <BarChart data={d.map((r) => ({ path: r.route, seconds: Math.round(r.avg_ms / 100) / 10 }))} layout="vertical" margin={{ left: 40 }}>
                <XAxis type="number" unit=" s" />
                <YAxis type="category" dataKey="path" width={140} />
                <Tooltip />
                <Bar dataKey="seconds" name="average seconds" fill="#16a34a" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
          )}
        </Panel>
      </div>
    </section>
  );
}

/// Users per day, per funnel step…: one bar each.
function UserBars({ data, height, fill }: { data: { label: string; users: number }[]; height: number; fill: string }) {
  return (
    <ResponsiveContainer width="100%" height={height}>
      <BarChart data={data}>
        <XAxis dataKey="label" />
        <YAxis allowDecimals={false} />
        <Tooltip />
        <Bar dataKey="users" fill={fill} isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

const unreachable = (e: ApiError) => (e.code === 'analytics_unavailable' ? 'Analytics are unreachable right now; the CRM is not affected.' : e);

function Panel<T>({ title, state, empty, children }: { title: string; state: Resource<T>; empty: (d: T) => boolean; children: (d: T) => ReactNode }) {
  return (
    <section className="panel chart" aria-label={title}>
      <h2>{title}</h2>
      <Loaded state={state} what={title.toLowerCase()} isEmpty={empty} empty="No data in this range yet." explain={unreachable}>
        {children}
      </Loaded>
    </section>
  );
}

function Funnel({ slug, days }: { slug: string; days: Days }) {
  const [preset, setPreset] = useState<Preset>('Visit → Customer → Deal → Won');
  const [steps, setSteps] = useState<Step[]>(PRESETS[preset]);
  const [result, setResult] = useState<FunnelResult | null>(null);
  const action = useAction();
  const run = async () => {
    setResult(await post<FunnelResult>(`/v1/t/${slug}/analytics/funnel`, { steps, window_s: 30 * 86400, days: Number(days), tz: TZ }));
  };
  const setStep = (i: number, s: Step) => setSteps(steps.map((x, j) => (j === i ? s : x)));
  const withKind = (s: Step, kind: Step['kind']): Step => {
    const name = s.kind === 'path' ? 'pageview' : (s.name ?? 'pageview');
    return kind === 'path' ? { kind, route: '/' } : kind === 'event' ? { kind, name } : { kind, name, key: '', value: '' };
  };
  const label = (s: Step) => (s.kind === 'path' ? `visit ${s.route}` : s.kind === 'event' ? s.name : `${s.name ?? 'any event'} (${s.key}=${s.value})`);
  return (
    <section className="panel chart" aria-label="Funnel">
      <h2>Funnel</h2>
      <div className="inline-form">
        <SelectField
          id="funnel-preset"
          label="Preset"
          value={preset}
          onChange={(e) => {
            const p = e.target.value as Preset;
            setPreset(p);
            setSteps(PRESETS[p]);
          }}
          options={Object.keys(PRESETS)}
        />
      </div>
      <ol className="steps">
        {steps.map((s, i) => (
          <li key={i}>
            <label>
              <span className="sr-only">Step {i + 1} kind</span>
              <select value={s.kind} onChange={(e) => setStep(i, withKind(s, e.target.value as Step['kind']))}>
                {KINDS.map(([k, text]) => (
                  <option key={k} value={k}>
                    {text}
                  </option>
                ))}
              </select>
            </label>
            {s.kind === 'path' ? (
              <label>
                <span className="sr-only">Step {i + 1} route</span>
                <input placeholder="/customers/:id" value={s.route} onChange={(e) => setStep(i, { ...s, route: e.target.value })} />
              </label>
            ) : (
              <label>
                <span className="sr-only">Step {i + 1} event</span>
                <select value={s.name ?? ''} onChange={(e) => setStep(i, { ...s, name: e.target.value || undefined } as Step)}>
                  {s.kind === 'property' && <option value="">any event</option>}
                  {EVENTS.map((n) => (
                    <option key={n}>{n}</option>
                  ))}
                </select>
              </label>
            )}
            {s.kind === 'property' && (
              <>
                <label>
                  <span className="sr-only">Step {i + 1} property key</span>
                  <input placeholder="key" size={8} value={s.key} onChange={(e) => setStep(i, { ...s, key: e.target.value })} />
                </label>
                <label>
                  <span className="sr-only">Step {i + 1} property value</span>
                  <input placeholder="value" size={8} value={s.value} onChange={(e) => setStep(i, { ...s, value: e.target.value })} />
                </label>
              </>
            )}
            {steps.length > 2 && (
              <button type="button" className="secondary" onClick={() => setSteps(steps.filter((_, j) => j !== i))} aria-label={`Remove step ${i + 1}`}>
                ✕
              </button>
            )}
          </li>
        ))}
      </ol>
      <button type="button" className="secondary" onClick={() => setSteps([...steps, { kind: 'event', name: 'pageview' }])} disabled={steps.length >= 6}>
        Add step
      </button>{' '}
      <button type="button" onClick={() => void action.run(run)} disabled={action.busy} data-track="run-funnel">
        {action.busy ? 'Running…' : 'Show funnel'}
      </button>
      <FormError error={action.error} />
      {result &&
        (result.steps[0]?.users === 0 ? (
          <Empty>Nobody reached the first step in this range.</Empty>
        ) : (
          <>
            <UserBars data={result.steps.map((r) => ({ label: label(r.step), users: r.users }))} height={180} fill="#9333ea" />
            <Table className="grid compact" data-testid="funnel-result" head={['Step', 'Users', 'From previous', 'From first']}>
              {result.steps.map((r, i) => (
                <Row key={i} cells={[label(r.step), r.users, `${r.conversion_from_previous}%`, `${r.conversion_from_first}%`]} />
              ))}
            </Table>
          </>
        ))}
    </section>
  );
}
