// The tenant's analytics: trends with a range picker, daily and weekly active users, a
// funnel builder, top pages and dwell time. Charts are Recharts; each has loading and
// empty states, and a table beside it for screen readers.
import { useState, type ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { post, type ApiError } from '../api';
import { useAction, useGet, type Resource } from '../data';
import { FormError, SelectField } from '../ui/forms';
import { Empty, Loaded } from '../ui/states';
import { Row, Table } from '../ui/Table';

const RANGES = [
  ['7', 'Last 7 days'],
  ['30', 'Last 30 days'],
  ['90', 'Last 90 days'],
] as const;
type Days = (typeof RANGES)[number][0];
const EVENTS = ['pageview', 'click', 'dwell', 'api_request', 'deal_created', 'deal_stage_changed', 'order_created'];

interface Step {
  name: string;
  prop?: { key: string; value: string };
}
interface FunnelStep {
  step: Step;
  users: number;
  conversion_from_previous: number;
  conversion_from_first: number;
}

const PRESETS = {
  'Lead → Won': [
    { name: 'deal_created', prop: { key: 'stage', value: 'lead' } },
    { name: 'deal_stage_changed', prop: { key: 'to', value: 'won' } },
  ],
  'Visit → Deal → Won': [{ name: 'pageview' }, { name: 'deal_created' }, { name: 'deal_stage_changed', prop: { key: 'to', value: 'won' } }],
} satisfies Record<string, Step[]>;
type Preset = keyof typeof PRESETS;

/// The last `days` days, up to now. The charts keep the window from when it was picked
/// (picking it again refreshes them); the funnel takes a new one on every run.
function rangeOf(days: Days) {
  const to = new Date();
  return { days, to, from: new Date(to.getTime() - Number(days) * 86_400_000) };
}

export function Dashboard({ slug }: { slug: string }) {
  const [{ days, from, to }, setRange] = useState(() => rangeOf('30'));
  const [name, setName] = useState('pageview');
  const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
  const base = `/v1/t/${slug}/analytics`;
  const trends = useGet<{ bucket: string; n: number }[]>(`${base}/trends?${range}&name=${name}`);
  const active = useGet<{ period: string; bucket: string; users: number }[]>(`${base}/active-users?${range}`);
  const pages = useGet<{ path: string; views: number; visitors: number }[]>(`${base}/top-pages?${range}&limit=10`);
  const dwell = useGet<{ path: string; samples: number; avg_ms: number; median_ms: number }[]>(`${base}/dwell?${range}&limit=10`);
  const day = (s: string) => s.slice(5, 10);
  // Paths inside this app are shown without the /app/t/{tenant} prefix.
  const short = (p: string) => (p.startsWith(`/app/t/${slug}`) ? p.slice(`/app/t/${slug}`.length) || '/' : p);
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
              <LineChart data={d.map((b) => ({ day: day(b.bucket), n: b.n }))}>
                <CartesianGrid strokeDasharray="3 3" />
                <XAxis dataKey="day" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Line type="monotone" dataKey="n" name={name} stroke="#2f5bea" dot={false} isAnimationActive={false} />
              </LineChart>
            </ResponsiveContainer>
          )}
        </Panel>
        <Panel title="Active users" state={active} empty={(d) => d.length === 0}>
          {(d) => {
            const daily = d.filter((r) => r.period === 'day').map((r) => ({ label: day(r.bucket), users: r.users }));
            const weekly = d.filter((r) => r.period === 'week').map((r) => ({ week: day(r.bucket), users: r.users }));
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
                  key={p.path}
                  cells={[
                    <code title={p.path}>{short(p.path)}</code>,
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
              <BarChart data={d.map((r) => ({ path: short(r.path), seconds: Math.round(r.avg_ms / 100) / 10 }))} layout="vertical" margin={{ left: 40 }}>
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
  const [preset, setPreset] = useState<Preset>('Lead → Won');
  const [steps, setSteps] = useState<Step[]>(PRESETS[preset]);
  const [result, setResult] = useState<FunnelStep[] | null>(null);
  const action = useAction();
  const run = async () => {
    const { from, to } = rangeOf(days);
    setResult(await post<FunnelStep[]>(`/v1/t/${slug}/analytics/funnel`, { steps, window_seconds: 30 * 86400, from: from.toISOString(), to: to.toISOString() }));
  };
  const setStep = (i: number, s: Step) => setSteps(steps.map((x, j) => (j === i ? s : x)));
  const label = (s: Step) => (s.prop ? `${s.name} (${s.prop.key}=${s.prop.value})` : s.name);
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
              <span className="sr-only">Step {i + 1} event</span>
              <select value={s.name} onChange={(e) => setStep(i, { ...s, name: e.target.value })}>
                {EVENTS.map((n) => (
                  <option key={n}>{n}</option>
                ))}
              </select>
            </label>
            <label>
              <span className="sr-only">Step {i + 1} property filter</span>
              <input
                placeholder="key=value (optional)"
                value={s.prop ? `${s.prop.key}=${s.prop.value}` : ''}
                onChange={(e) => {
                  const [key, ...v] = e.target.value.split('=');
                  setStep(i, { name: s.name, prop: key && v.length ? { key, value: v.join('=') } : undefined });
                }}
              />
            </label>
            {steps.length > 2 && (
              <button type="button" className="secondary" onClick={() => setSteps(steps.filter((_, j) => j !== i))} aria-label={`Remove step ${i + 1}`}>
                ✕
              </button>
            )}
          </li>
        ))}
      </ol>
      <button type="button" className="secondary" onClick={() => setSteps([...steps, { name: 'pageview' }])} disabled={steps.length >= 6}>
        Add step
      </button>{' '}
      <button type="button" onClick={() => void action.run(run)} disabled={action.busy} data-track="run-funnel">
        {action.busy ? 'Running…' : 'Show funnel'}
      </button>
      <FormError error={action.error} />
      {result &&
        (result[0]?.users === 0 ? (
          <Empty>Nobody reached the first step in this range.</Empty>
        ) : (
          <>
            <UserBars data={result.map((r) => ({ label: label(r.step), users: r.users }))} height={180} fill="#9333ea" />
            <Table className="grid compact" data-testid="funnel-result" head={['Step', 'Users', 'From previous', 'From first']}>
              {result.map((r, i) => (
                <Row key={i} cells={[label(r.step), r.users, `${r.conversion_from_previous}%`, `${r.conversion_from_first}%`]} />
              ))}
            </Table>
          </>
        ))}
    </section>
  );
}
