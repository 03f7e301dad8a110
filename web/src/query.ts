// The data layer: TanStack Query caches every GET by its path, refetches when the window
// regains focus, keeps the previous answer on screen while the next loads (typing in a
// search box doesn't flash a spinner), and retries only what may pass (5xx, network).
import { keepPreviousData, QueryClient, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { ApiError, get } from './api/client';

/// Anything a request threw, as an ApiError, so screens handle one kind of error.
export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'error', String(e));
}

export function newQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 2_000,
        refetchOnWindowFocus: true,
        retry: (failures, e) => failures < 1 && (toApiError(e).status >= 500 || toApiError(e).code === 'network'),
      },
    },
  });
}

export const queryClient = newQueryClient();

export type Query<T> = UseQueryResult<T, ApiError>;

/// GETs `path` (nothing while it is null). `once`: an answer read once and never again
/// by itself (not on focus, not while cached), and never stood in for by the previous
/// path's answer while this one loads (a link whose second reading would be refused).
export function useApi<T>(path: string | null, options: { refetchInterval?: (data: T | undefined) => number | false; once?: boolean } = {}): Query<T> {
  return useQuery<T, ApiError>({
    queryKey: [path],
    queryFn: async ({ signal }) => {
      try {
        return await get<T>(path ?? '', signal);
      } catch (e) {
        throw toApiError(e);
      }
    },
    enabled: path !== null,
    placeholderData: options.once ? undefined : keepPreviousData,
    ...(options.once && { staleTime: Infinity, refetchOnWindowFocus: false }),
    refetchInterval: options.refetchInterval && ((q) => options.refetchInterval?.(q.state.data) ?? false),
  });
}

/// After a change: every cached GET whose path starts with `prefix` is fetched again.
export function invalidate(prefix: string) {
  return queryClient.invalidateQueries({ predicate: (q) => typeof q.queryKey[0] === 'string' && q.queryKey[0].startsWith(prefix) });
}

export interface AllPages<T> {
  items: T[];
  /// True when the list had more than the bound, which are not in `items`.
  more: boolean;
}

/// Every page of a list, following its cursors up to `max` items: for views that must
/// show a whole list at once (the kanban board). What lies beyond `max` is said, not
/// silently dropped.
export function useAllPages<T>(path: string, max = 1000): Query<AllPages<T>> {
  return useQuery<AllPages<T>, ApiError>({
    queryKey: [path, 'all', max],
    queryFn: async ({ signal }) => {
      const items: T[] = [];
      let cursor: string | null | undefined = null;
      const sep = path.includes('?') ? '&' : '?';
      do {
        const page: { items: T[]; next_cursor?: string | null } = await get<{ items: T[]; next_cursor?: string | null }>(`${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, signal).catch((e: unknown) => {
          throw toApiError(e);
        });
        items.push(...page.items);
        cursor = page.next_cursor;
      } while (cursor && items.length < max);
      return { items: items.slice(0, max), more: Boolean(cursor) || items.length > max };
    },
    placeholderData: keepPreviousData,
  });
}
