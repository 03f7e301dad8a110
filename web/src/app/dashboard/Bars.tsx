// Horizontal bars as a table: every label in full (wrapped, never cut or skipped, as a
// chart's axis would), the number as text, and a bar that is never too thin to see when
// its number is not zero (one user among hundreds still shows).
import type { ReactNode } from 'react';
import { Row, Table } from '../../ui/Table';

export interface BarRow {
  key: string;
  label: ReactNode;
  value: number;
  /// The value as people read it ("12.5 s", "3 (50 %)").
  text: string;
}

export function Bars({ name, head, rows, ...rest }: { name: string; head: [string, string]; rows: BarRow[]; 'data-testid'?: string }) {
  const max = Math.max(0, ...rows.map((r) => r.value));
  return (
    <Table className="grid compact bars" head={head} aria-label={name} {...rest}>
      {rows.map((r) => (
        <Row
          key={r.key}
          cells={[
            <span className="bar-label">{r.label}</span>,
            <>
              <span className="bar-value">{r.text}</span>
              <span className={r.value > 0 ? 'bar' : 'bar zero'} aria-hidden="true" data-value={r.value} style={{ width: `${max > 0 ? (100 * r.value) / max : 0}%` }} />
            </>,
          ]}
        />
      ))}
    </Table>
  );
}
