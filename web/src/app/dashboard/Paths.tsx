// What users do after a page: pick a page (by route template), see what came next in
// the same session, most frequent first: another page, an event, or leaving.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../../format';
import { useApi } from '../../query';
import { SelectField } from '../../ui/forms';
import type { components } from '../../api/tenant.gen';
import { Bars } from './Bars';
import { eventName, rawTitle } from './eventName';
import { Panel } from './Panel';

type NextSteps = components['schemas']['NextSteps'];

export function Paths({ base, range, routes }: { base: string; range: string; routes: string[] }) {
  const { t } = useTranslation();
  const [picked, setPicked] = useState<string | null>(null);
  const route = picked ?? routes[0] ?? null;
  const next = useApi<NextSteps>(route ? `${base}/paths/next?${range}&limit=8&route=${encodeURIComponent(route)}` : null);
  const pct = (n: number, of: number) => fmtNumber(of ? n / of : 0, { style: 'percent', maximumFractionDigits: 0 });
  const label = (kind: string, l: string) => (kind === 'page' ? l : kind === 'event' ? <span title={rawTitle(t, l)}>{t('dashboard.nextEvent', { name: eventName(t, l) })}</span> : kind === 'exit' ? t('dashboard.exit') : t('dashboard.other'));
  return (
    <section className="panel chart" aria-label={t('dashboard.paths')}>
      <h2>{t('dashboard.paths')}</h2>
      {routes.length > 0 && route && (
        <>
          <SelectField id="paths-from" label={t('dashboard.afterPage')} value={route} onChange={(e) => setPicked(e.target.value)} options={(routes.includes(route) ? routes : [route, ...routes]).map((r) => [r, r] as const)} />
          <Panel title={t('dashboard.nextAfter', { route })} query={next} empty={(d) => d.views === 0} bare>
            {(d) => (
              <>
                <p className="hint">{t('dashboard.pathsViews', { n: fmtNumber(d.views), route: d.route })}</p>
                <Bars
                  name={t('dashboard.nextAfter', { route: d.route })}
                  head={[t('dashboard.next'), t('dashboard.count')]}
                  data-testid="paths-next"
                  rows={d.next.map((s) => ({ key: `${s.kind}:${s.label}`, label: label(s.kind, s.label), value: s.count, text: `${fmtNumber(s.count)} (${pct(s.count, d.views)})` }))}
                />
              </>
            )}
          </Panel>
        </>
      )}
      {routes.length === 0 && <p className="hint">{t('dashboard.noData')}</p>}
    </section>
  );
}
