// The one list: pages through the API's cursors (Previous/Next), says which rows it shows
// ("1–50 of 131"; without a total from the API, "1–50"), sorts by its column headers
// (newest first unless told), and keeps a just-created row on top, highlighted, until
// the user moves on.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { fmtNumber } from '../format';
import { useApi } from '../query';
import { FIRST, listQuery, next, pageIndex, previous, rangeOf, type PageOf, type Place } from './paging';
import { Loaded } from './states';
import { Table, type Head } from './Table';

export const PAGE_SIZE = 50;

export interface ListProps<T> {
  /// The list endpoint, without a query string.
  path: string;
  /// Filters; empty ones are left out.
  params?: Record<string, string | undefined>;
  head: (string | Head)[];
  /// What the list holds, for its label ("customers").
  what: string;
  empty: ReactNode;
  rowKey: (row: T) => string;
  /// A row just created: highlighted, and shown on top of the first page even when the
  /// sort puts it on another.
  created?: T | null;
  /// What to announce about the created row ("Customer Rocket Co added.").
  createdText?: (row: T) => string;
  defaultSort?: string;
  pageSize?: number;
  children: (items: T[], isCreated: (row: T) => boolean) => ReactNode;
}

export function List<T>({ path, params = {}, head, what, empty, rowKey, created, createdText, defaultSort = '-created_at', pageSize = PAGE_SIZE, children }: ListProps<T>) {
  const { t } = useTranslation();
  const [sort, setSort] = useState(defaultSort);
  const filters = JSON.stringify([path, params, sort]);
  const [at, setAt] = useState<{ filters: string; place: Place }>({ filters, place: FIRST });
  // A new filter or sort starts again from the first page.
  const place = at.filters === filters ? at.place : FIRST;
  const go = (p: Place) => setAt({ filters, place: p });
  const query = useApi<PageOf<T>>(`${path}?${listQuery(params, place, pageSize, sort)}`);
  const createdKey = created ? rowKey(created) : null;
  const isCreated = (row: T) => createdKey !== null && rowKey(row) === createdKey;
  return (
    <>
      {created && createdText && (
        <p className="status" role="status">
          {createdText(created)}
        </p>
      )}
      <Loaded query={query} what={what} isEmpty={(d) => d.items.length === 0 && !created && pageIndex(place) === 0} empty={empty}>
      {(page) => {
        // Pinned on the first unfiltered page only: a filter may not match it.
        const pin = created && pageIndex(place) === 0 && !Object.values(params).some(Boolean) && !page.items.some(isCreated);
        const items = pin ? [created, ...page.items] : page.items;
        const { from, to, total } = rangeOf(place, pageSize, page.items.length, page.total);
        const range = { from: fmtNumber(from), to: fmtNumber(to), total: total === undefined ? '' : fmtNumber(total) };
        return (
          <>
            <Table head={head} sort={sort} onSort={setSort} aria-label={what} aria-busy={query.isFetching}>
              {children(items, isCreated)}
            </Table>
            <nav className="pager" aria-label={t('list.pages', { what })}>
              {/* While another page loads, the rows are still the last page's: the range
                  would name rows not on screen, and Next would skip from the wrong page. */}
              <span className="range" role="status">
                {query.isPlaceholderData ? t('states.loading') : total === undefined ? t('list.range', range) : t(page.total_exact === false ? 'list.rangeOfAbout' : 'list.rangeOf', range)}
              </span>
              <button type="button" className="secondary" disabled={pageIndex(place) === 0 || query.isPlaceholderData} onClick={() => go(previous(place))}>
                {t('list.previous')}
              </button>
              <button type="button" className="secondary" disabled={!page.next_cursor || query.isPlaceholderData} onClick={() => page.next_cursor && go(next(place, page.next_cursor))}>
                {t('list.next')}
              </button>
            </nav>
          </>
        );
      }}
      </Loaded>
    </>
  );
}
