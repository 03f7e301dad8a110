// The tenant's analytics (PostHog's and Plausible's first screens): one range in the
// tenant's time zone for every panel, whole days, the current one marked; trends and
// active users over the same periods (dashboard/axis.ts); who is measured; a funnel
// builder; weekly retention; what users do after a page; top pages and dwell time by
// route template. Each part lives in dashboard/, named for what it shows.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useApi } from '../query';
import { SelectField } from '../ui/forms';
import type { ActiveUsers as Active, DwellRow, PageRow, TrendBucket } from '../types';
import { ActiveUsers } from './dashboard/ActiveUsers';
import { sharedSlots } from './dashboard/axis';
import { Funnel } from './dashboard/Funnel';
import { EVENTS } from './dashboard/FunnelSteps';
import { Dwell, TopPages } from './dashboard/Pages';
import { Panel } from './dashboard/Panel';
import { Paths } from './dashboard/Paths';
import { Retention, type RetentionData } from './dashboard/Retention';
import { Trend } from './dashboard/Trends';
import { useTenantTimeZone } from './settings';
import './dashboard/dashboard.css';

const RANGES = ['7', '30', '90'] as const;
type Days = (typeof RANGES)[number];
// Periods are whole days (or weeks) in the tenant's time zone (its settings); the
// browser's stands in until they have loaded.
const BROWSER_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/// The last `days` days, up to now. Every panel keeps the moment the range was picked,
/// so they all end at the same instant (picking it again refreshes them).
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
  const active = useApi<Active>(`${base}/active-users?${range}`);
  const pages = useApi<PageRow[]>(`${base}/top-pages?${range}&limit=20`);
  const dwell = useApi<DwellRow[]>(`${base}/dwell?${range}&limit=20`);
  const retention = useApi<RetentionData>(`${base}/retention?weeks=8&tz=${encodeURIComponent(tz)}`);
  // One x axis for the view: the periods of every series, whichever answered.
  const slots = sharedSlots(trends.data, active.data?.series.day);
  const routes = (pages.data ?? []).map((p) => p.route);
  const trendTitle = t('dashboard.trend', { name });
  return (
    <section aria-labelledby="dash-title" className="dashboard">
      <h1 id="dash-title">{t('titles.dashboard')}</h1>
      <form className="inline-form" aria-label={t('dashboard.rangeForm')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="range" label={t('dashboard.range')} value={days} onChange={(e) => setRange(rangeOf(e.target.value as Days))} options={RANGES.map((r) => [r, t('dashboard.lastDays', { n: Number(r) })] as const)} data-track="dashboard-range" />
        <SelectField id="trend-event" label={t('dashboard.event')} value={name} onChange={(e) => setName(e.target.value)} options={EVENTS.map((e) => [e, e] as const)} />
      </form>
      <p className="hint" data-testid="dashboard-tz" data-tz={tz}>
        {t('dashboard.periodsIn', { tz })}
      </p>

      <div className="panels">
        <Panel title={trendTitle} query={trends} empty={(d) => d.every((b) => b.n === 0)}>
          {(d) => <Trend name={name} title={trendTitle} buckets={d} slots={slots} />}
        </Panel>
        <Panel title={t('dashboard.active')} query={active} empty={(d) => d.totals.users === 0}>
          {(d) => <ActiveUsers data={d} slots={slots} />}
        </Panel>
        <Funnel slug={slug} days={days} tz={tz} routes={routes} />
        <Panel title={t('dashboard.retention')} query={retention} empty={(d) => d.cohorts.every((c) => c.users === 0)} wide>
          {(d) => <Retention data={d} />}
        </Panel>
        <Paths base={base} range={range} routes={routes} />
        <Panel title={t('dashboard.topPages')} query={pages} empty={(d) => d.length === 0}>
          {(d) => <TopPages rows={d} />}
        </Panel>
        <Panel title={t('dashboard.dwell')} query={dwell} empty={(d) => d.length === 0}>
          {(d) => <Dwell rows={d} />}
        </Panel>
      </div>
    </section>
  );
}
