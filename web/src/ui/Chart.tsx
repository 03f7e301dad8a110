// A chart with a name screen readers announce and its numbers as a table: shown on
// request ("Show as table"), and always there for screen readers. Other attributes
// (the dashboard's data-x-* and data-y-max: the range the chart's axes show) go on the
// figure, so tests and tools read the axes without parsing the drawing.
import { useId, useState, type HTMLAttributes, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Row, Table } from './Table';

export function Chart({ name, head, rows, children, ...figure }: { name: string; head: string[]; rows: (string | number)[][]; children: ReactNode } & HTMLAttributes<HTMLElement>) {
  const { t } = useTranslation();
  const [asTable, setAsTable] = useState(false);
  const tableId = useId();
  return (
    <figure className="chart-figure" aria-label={name} {...figure}>
      <div role="img" aria-label={t('chart.name', { name, n: rows.length })} hidden={asTable}>
        {children}
      </div>
      <button type="button" className="link" aria-pressed={asTable} aria-controls={tableId} onClick={() => setAsTable(!asTable)}>
        {asTable ? t('chart.showChart') : t('chart.showTable')}
      </button>
      <div id={tableId} className={asTable ? undefined : 'sr-only'}>
        <Table className="grid compact" head={head} aria-label={name}>
          {rows.map((r, i) => (
            <Row key={i} cells={r} />
          ))}
        </Table>
      </div>
    </figure>
  );
}
