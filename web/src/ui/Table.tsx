// The data tables: a header row of column names, and rows whose first cell names the row
// (a row header, so screen readers announce it with every other cell).
import type { HTMLAttributes, ReactNode, TableHTMLAttributes } from 'react';

export function Table({ head, className = 'grid', children, ...rest }: { head?: string[]; children: ReactNode } & TableHTMLAttributes<HTMLTableElement>) {
  return (
    <table className={className} {...rest}>
      {head && (
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
      )}
      <tbody>{children}</tbody>
    </table>
  );
}

/// `children` go after the cells, for cells that need attributes of their own.
export function Row({ cells, children, ...rest }: { cells: ReactNode[] } & HTMLAttributes<HTMLTableRowElement>) {
  const [first, ...others] = cells;
  return (
    <tr {...rest}>
      <th scope="row">{first}</th>
      {others.map((c, i) => (
        <td key={i}>{c}</td>
      ))}
      {children}
    </tr>
  );
}
