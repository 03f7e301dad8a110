// The tenant's analytics (PostHog's and Plausible's first screens): one range in the
// tenant's time zone for every panel, whole days, the current one marked; trends and
// active users over the same periods (dashboard/axis.ts); who is measured; a funnel
// builder; weekly retention; what users do after a page; top pages and dwell time by
// route template. Each part lives in dashboard/, named for what it shows.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtDateTime } from '../format';
import { invalidate, useApi } from '../query';
import { SelectField } from '../ui/forms';
import { Loading } from '../ui/states';
import type { ActiveUsers as Active, DwellRow, PageRow, TrendBucket } from '../types';
import { ActiveUsers } from './dashboard/ActiveUsers';
import { sharedSlots } from './dashboard/axis';
import { Funnel } from './dashboard/Funnel';
import { EVENTS } from './dashboard/FunnelSteps';
import { eventName } from './dashboard/eventName';
import { Dwell, TopPages } from './dashboard/Pages';
import { Panel } from './dashboard/Panel';
import { Paths } from './dashboard/Paths';
import { Retention, type RetentionData } from './dashboard/Retention';
import { Trend } from './dashboard/Trends';
import { useTenantTimeZone } from './settings';
import './dashboard/dashboard.css';

const RANGES = ['7', '30', '90'] as const;
type Days = (typeof RANGES)[number];
// Periods are whole days (or weeks) in the tenant's time zone (its settings); nothing is
// asked for until they have loaded, and the browser's stands in only if they have none.
const BROWSER_TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/// The last `days` days, up to now. Every panel (the funnel too) keeps the moment the
/// range was picked, so they all end at the same instant; Refresh moves it to a new now.
function rangeOf(days: Days) {
  return { days, to: new Date() };
}

export function Dashboard({ slug }: { slug: string }) {
  const { t } = useTranslation();
  const [{ days, to }, setRange] = useState(() => rangeOf('30'));
  const [name, setName] = useState('pageview');
  const tz = useTenantTimeZone(slug, BROWSER_TZ);
  const zone = tz === undefined ? null : `tz=${encodeURIComponent(tz)}`;
  const range = zone && `${zone}&days=${days}&to=${to.toISOString()}`;
  const base = `/v1/t/${slug}/analytics`;
  const ask = (path: string, query: string | null) => (query === null ? null : `${base}/${path}?${query}`);
  const trends = useApi<TrendBucket[]>(ask('trends', range && `${range}&name=${name}`));
  const active = useApi<Active>(ask('active-users', range));
  const pages = useApi<PageRow[]>(ask('top-pages', range && `${range}&limit=20`));
  const dwell = useApi<DwellRow[]>(ask('dwell', range && `${range}&limit=20`));
  // Retention counts whole weeks up to the current one; the API takes no `to`, so
  // Refresh asks it again instead.
  const retention = useApi<RetentionData>(ask('retention', zone && `${zone}&weeks=8`));
  const refresh = () => {
    setRange(rangeOf(days));
    void invalidate(`${base}/retention`);
  };
  // One x axis for the view: the periods of every series, whichever answered.
  const slots = sharedSlots(trends.data, active.data?.series.day);
  const routes = (pages.data ?? []).map((p) => p.route);
  const label = eventName(t, name);
  const trendTitle = t('dashboard.trend', { name: label });
  return (
    <section aria-labelledby="dash-title" className="dashboard">
      <h1 id="dash-title">{t('titles.dashboard')}</h1>
      <form className="inline-form" aria-label={t('dashboard.rangeForm')} onSubmit={(e) => e.preventDefault()}>
        <SelectField id="range" label={t('dashboard.range')} value={days} onChange={(e) => setRange(rangeOf(e.target.value as Days))} options={RANGES.map((r) => [r, t('dashboard.lastDays', { n: Number(r) })] as const)} data-track="dashboard-range" />
        <SelectField id="trend-event" label={t('dashboard.event')} value={name} onChange={(e) => setName(e.target.value)} options={EVENTS.map((e) => [e, eventName(t, e)] as const)} title={name} />
        <button type="button" className="secondary" onClick={refresh} data-track="dashboard-refresh">
          {t('dashboard.refresh')}
        </button>
      </form>
      {tz === undefined || range === null ? (
        <Loading what={t('titles.dashboard')} />
      ) : (
        <>
          <p className="hint" data-testid="dashboard-tz" data-tz={tz} data-to={to.toISOString()}>
            {t('dashboard.periodsIn', { tz })} {t('dashboard.upTo', { time: fmtDateTime(to.toISOString()) })}
          </p>
          <div className="panels">
            <Panel title={trendTitle} query={trends} empty={(d) => d.every((b) => b.n === 0)}>
              {(d) => <Trend name={label} title={trendTitle} buckets={d} slots={slots} />}
            </Panel>
            <Panel title={t('dashboard.active')} query={active} empty={(d) => d.totals.users === 0}>
              {(d) => <ActiveUsers data={d} slots={slots} />}
            </Panel>
            <Funnel slug={slug} days={days} to={to.toISOString()} tz={tz} routes={routes} />
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
        </>
      )}
    </section>
  );
}
