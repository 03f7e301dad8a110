// Top pages and dwell time, by route template (`/customers/:id`, the app's base path
// stripped once; the API groups them). Labels are shown whole.
import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../../format';
import { Row, Table } from '../../ui/Table';
import type { DwellRow, PageRow } from '../../types';
import { Bars } from './Bars';

export function TopPages({ rows }: { rows: PageRow[] }) {
  const { t } = useTranslation();
  return (
    <Table className="grid compact" data-testid="top-pages" head={[t('dashboard.page'), t('dashboard.views'), t('dashboard.visitors')]}>
      {rows.map((p) => (
        <Row key={p.route} cells={[<code className="route">{p.route}</code>, fmtNumber(p.views), fmtNumber(p.visitors)]} />
      ))}
    </Table>
  );
}

export function Dwell({ rows }: { rows: DwellRow[] }) {
  const { t } = useTranslation();
  const seconds = (ms: number) => fmtNumber(ms / 1000, { style: 'unit', unit: 'second', unitDisplay: 'short', maximumFractionDigits: 1 });
  return (
    <Bars
      name={t('dashboard.dwell')}
      data-testid="dwell"
      head={[t('dashboard.page'), t('dashboard.avgTime')]}
      rows={rows.map((r) => ({
        key: r.route,
        label: <code className="route">{r.route}</code>,
        value: r.avg_ms,
        text: t('dashboard.dwellText', { avg: seconds(r.avg_ms), median: seconds(r.median_ms), n: fmtNumber(r.samples) }),
      }))}
    />
  );
}
