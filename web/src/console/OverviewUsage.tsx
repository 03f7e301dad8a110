// The overview's usage panels, from GET /v1/overview: every tenant's usage together
// (`total_usage`: requests and database time over the last 24 hours, storage and this
// month's events as last measured) and the five tenants using the most of each measure
// (`top`). A figure whose source could not be read says so, never 0.
import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../format';
import { href } from '../routes';
import { Link } from '../router';
import { Row, Table } from '../ui/Table';
import type { Overview } from './controlTypes';
import { fmtMeasure } from './usage';

const MEASURES = ['requests', 'db_time', 'storage', 'events'] as const satisfies readonly (keyof Overview['top'])[];
// What each total counts, as the top lists' `unit` names it.
const TOTALS = [
  ['requests', 'requests', 'requests'],
  ['db_time', 'db_seconds', 'seconds'],
  ['storage', 'storage_bytes', 'bytes'],
  ['events', 'events_month', 'events'],
] as const;

export function TotalUsage({ o }: { o: Overview }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="overview-total-usage">
      <h2 id="overview-total-usage">{t('overview.totalUsage')}</h2>
      <Table className="grid compact" aria-label={t('overview.totalUsage')} data-testid="total-usage">
        {TOTALS.map(([measure, field, unit]) => {
          const v = o.total_usage[field];
          return <Row key={measure} data-measure={measure} cells={[t(`overview.measures.${measure}`), v != null ? fmtMeasure(unit, v) : t('usage.unavailableValue')]} />;
        })}
      </Table>
      <p className="hint">{t('overview.totalUsageHint')}</p>
    </section>
  );
}

export function TopUsage({ o }: { o: Overview }) {
  const { t } = useTranslation();
  return (
    <section className="panel" aria-labelledby="overview-top-usage">
      <h2 id="overview-top-usage">{t('overview.topUsage')}</h2>
      <div className="top-lists">
        {MEASURES.map((m) => {
          const top = o.top[m];
          const name = t(`overview.measures.${m}`);
          return (
            <div key={m} data-measure={m}>
              <h3>{name}</h3>
              {!top.available ? (
                <p className="empty-state">{t('overview.topUnavailable', { note: top.note ?? '' })}</p>
              ) : top.entries.length === 0 ? (
                <p className="empty-state">{t('overview.topNone')}</p>
              ) : (
                <Table className="grid compact" head={[t('tenants.col.tenant'), name, t('overview.share')]} aria-label={t('overview.topBy', { measure: name })} data-testid={`top-${m}`}>
                  {top.entries.map((e) => (
                    <Row key={e.slug} data-tenant={e.slug} cells={[<Link to={href('consoleTenant', { slug: e.slug })}>{e.slug}</Link>, fmtMeasure(top.unit, e.value), fmtNumber(e.share_of_total, { style: 'percent', maximumFractionDigits: 1 })]} />
                  ))}
                </Table>
              )}
            </div>
          );
        })}
      </div>
      <p className="hint">{t('overview.topUsageHint')}</p>
    </section>
  );
}
