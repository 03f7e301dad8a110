// The tenant's analytics: trends with a range picker, daily and weekly active users, a
// funnel builder, top pages and dwell time. Charts are Recharts; each has loading and
// empty states, and a table beside it for screen readers.
import { useState } from 'react';
import { Bar, BarChart, CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ApiError, get, post } from '../api';
import { Empty, FormError, Loading, useLoad } from '../ui';

const RANGES = { '7': 'Last 7 days', '30': 'Last 30 days', '90': 'Last 90 days' } as const;
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

const PRESETS: Record<string, Step[]> = {
  'Lead → Won': [
    { name: 'deal_created', prop: { key: 'stage', value: 'lead' } },
    { name: 'deal_stage_changed', prop: { key: 'to', value: 'won' } },
  ],
  'Visit → Deal → Won': [{ name: 'pageview' }, { name: 'deal_created' }, { name: 'deal_stage_changed', prop: { key: 'to', value: 'won' } }],
};

export function Dashboard({ slug }: { slug: string }) {
  const [days, setDays] = useState<keyof typeof RANGES>('30');
  const [name, setName] = useState('pageview');
  const to = new Date();
  const from = new Date(to.getTime() - Number(days) * 86_400_000);
  const range = `from=${from.toISOString()}&to=${to.toISOString()}`;
  const base = `/v1/t/${slug}/analytics`;
  const trends = useLoad(() => get<{ bucket: string; n: number }[]>(`${base}/trends?${range}&name=${name}`), [slug, days, name]);
  const active = useLoad(() => get<{ period: string; bucket: string; users: number }[]>(`${base}/active-users?${range}`), [slug, days]);
  const pages = useLoad(() => get<{ path: string; views: number; visitors: number }[]>(`${base}/top-pages?${range}&limit=10`), [slug, days]);
  const dwell = useLoad(() => get<{ path: string; samples: number; avg_ms: number; median_ms: number }[]>(`${base}/dwell?${range}&limit=10`), [slug, days]);
  const day = (s: string) => s.slice(5, 10);
  // Paths inside this app are shown without the /app/t/{tenant} prefix.
  const short = (p: string) => (p.startsWith(`/app/t/${slug}`) ? p.slice(`/app/t/${slug}`.length) || '/' : p);
  return (
    <section aria-labelledby="dash-title" className="dashboard">
      <h1 id="dash-title">Dashboard</h1>
      <form className="inline-form" aria-label="Dashboard range" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="range">Range</label>
          <select id="range" value={days} onChange={(e) => setDays(e.target.value as keyof typeof RANGES)} data-track="dashboard-range">
            {Object.entries(RANGES).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="trend-event">Event</label>
          <select id="trend-event" value={name} onChange={(e) => setName(e.target.value)}>
            {EVENTS.map((e) => (
              <option key={e}>{e}</option>
            ))}
          </select>
        </div>
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
            const daily = d.filter((r) => r.period === 'day').map((r) => ({ day: day(r.bucket), users: r.users }));
            const weekly = d.filter((r) => r.period === 'week').map((r) => ({ week: day(r.bucket), users: r.users }));
            return (
              <>
                <h3>Daily</h3>
                <ResponsiveContainer width="100%" height={140}>
                  <BarChart data={daily}>
                    <XAxis dataKey="day" />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Bar dataKey="users" fill="#2f5bea" isAnimationActive={false} />
                  </BarChart>
                </ResponsiveContainer>
                <h3>Weekly</h3>
                <table className="grid compact" data-testid="weekly-active">
                  <tbody>
                    {weekly.map((w) => (
                      <tr key={w.week}>
                        <th scope="row">week of {w.week}</th>
                        <td>{w.users} users</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            );
          }}
        </Panel>
        <Funnel slug={slug} from={from} to={to} />
        <Panel title="Top pages" state={pages} empty={(d) => d.length === 0}>
          {(d) => (
            <table className="grid compact" data-testid="top-pages">
              <thead>
                <tr>
                  <th scope="col">Page</th>
                  <th scope="col">Views</th>
                  <th scope="col">Visitors</th>
                </tr>
              </thead>
              <tbody>
                {d.map((p) => (
                  <tr key={p.path}>
                    <th scope="row">
                      <code title={p.path}>{short(p.path)}</code>
                    </th>
                    <td>{p.views}</td>
                    <td>{p.visitors}</td>
                  </tr>
                ))}
              </tbody>
            </table>
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

function Panel<T>({ title, state, empty, children }: { title: string; state: { data: T | null; error: ApiError | null }; empty: (d: T) => boolean; children: (d: T) => React.ReactNode }) {
  return (
    <section className="panel chart" aria-label={title}>
      <h2>{title}</h2>
      {state.error ? (
        <FormError error={state.error.code === 'analytics_unavailable' ? 'Analytics are unreachable right now; the CRM is not affected.' : state.error} />
      ) : state.data === null ? (
        <Loading what={title.toLowerCase()} />
      ) : empty(state.data) ? (
        <Empty>No data in this range yet.</Empty>
      ) : (
        children(state.data)
      )}
    </section>
  );
}

function Funnel({ slug, from, to }: { slug: string; from: Date; to: Date }) {
  const [steps, setSteps] = useState<Step[]>(PRESETS['Lead → Won']);
  const [result, setResult] = useState<FunnelStep[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await post<FunnelStep[]>(`/v1/t/${slug}/analytics/funnel`, { steps, window_seconds: 30 * 86400, from: from.toISOString(), to: to.toISOString() }));
    } catch (err) {
      setError(err as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const setStep = (i: number, s: Step) => setSteps(steps.map((x, j) => (j === i ? s : x)));
  const label = (s: Step) => (s.prop ? `${s.name} (${s.prop.key}=${s.prop.value})` : s.name);
  return (
    <section className="panel chart" aria-label="Funnel">
      <h2>Funnel</h2>
      <div className="inline-form">
        <div className="field">
          <label htmlFor="funnel-preset">Preset</label>
          <select id="funnel-preset" onChange={(e) => setSteps(PRESETS[e.target.value])} defaultValue="Lead → Won">
            {Object.keys(PRESETS).map((p) => (
              <option key={p}>{p}</option>
            ))}
          </select>
        </div>
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
      <button type="button" onClick={run} disabled={busy} data-track="run-funnel">
        {busy ? 'Running…' : 'Show funnel'}
      </button>
      <FormError error={error} />
      {result &&
        (result[0]?.users === 0 ? (
          <Empty>Nobody reached the first step in this range.</Empty>
        ) : (
          <>
            <ResponsiveContainer width="100%" height={180}>
              <BarChart data={result.map((r) => ({ step: label(r.step), users: r.users }))}>
                <XAxis dataKey="step" />
                <YAxis allowDecimals={false} />
                <Tooltip />
                <Bar dataKey="users" fill="#9333ea" isAnimationActive={false} />
              </BarChart>
            </ResponsiveContainer>
            <table className="grid compact" data-testid="funnel-result">
              <thead>
                <tr>
                  <th scope="col">Step</th>
                  <th scope="col">Users</th>
                  <th scope="col">From previous</th>
                  <th scope="col">From first</th>
                </tr>
              </thead>
              <tbody>
                {result.map((r, i) => (
                  <tr key={i}>
                    <th scope="row">{label(r.step)}</th>
                    <td>{r.users}</td>
                    <td>{r.conversion_from_previous}%</td>
                    <td>{r.conversion_from_first}%</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        ))}
    </section>
  );
}
