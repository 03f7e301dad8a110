// The data tables: a header row of column names (sortable ones are buttons that say
// which way they sort), and rows whose first cell names the row (a row header, so screen
// readers announce it with every other cell).
import type { CSSProperties, HTMLAttributes, ReactNode, TableHTMLAttributes } from 'react';
import { useTranslation } from 'react-i18next';

export interface Head {
  label: string;
  /// The API's sort field, when the column can be sorted.
  sort?: string;
}

/// `sort` is the API's `sort` value: "field" ascending, "-field" descending.
export function Table({ head, sort, onSort, className = 'grid', children, ...rest }: { head?: (string | Head)[]; sort?: string; onSort?: (sort: string) => void; children: ReactNode } & TableHTMLAttributes<HTMLTableElement>) {
  // Each column gets room enough to read (styles.css): a wide table scrolls inside its
  // box on a phone instead of squeezing its cells to a letter a line.
  const columns = { '--columns': head?.length ?? 2 } as CSSProperties;
  return (
    <div className="table-scroll">
      <table className={className} style={columns} {...rest}>
        {head && (
          <thead>
            <tr>
              {head.map((h) => {
                const { label, sort: field } = typeof h === 'string' ? { label: h, sort: undefined } : h;
                return <HeadCell key={label} label={label} field={field} sort={sort} onSort={onSort} />;
              })}
            </tr>
          </thead>
        )}
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

function HeadCell({ label, field, sort, onSort }: { label: string; field?: string; sort?: string; onSort?: (sort: string) => void }) {
  const { t } = useTranslation();
  if (!field || !onSort) return <th scope="col">{label}</th>;
  const direction = sort === field ? 'ascending' : sort === `-${field}` ? 'descending' : undefined;
  // A new column starts descending (newest, largest first); a second click flips it.
  const next = direction === 'descending' ? field : `-${field}`;
  return (
    <th scope="col" aria-sort={direction ?? 'none'}>
      <button type="button" className="sort" onClick={() => onSort(next)} title={t(direction === 'descending' ? 'list.sortAscending' : 'list.sortDescending')}>
        {label} <span aria-hidden="true">{direction === 'ascending' ? '▲' : direction === 'descending' ? '▼' : '↕'}</span>
      </button>
    </th>
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
