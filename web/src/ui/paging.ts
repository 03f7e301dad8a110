// A list's place in the API's cursor pages: the cursors of the pages before this one
// are kept on a stack, so Previous goes back without the API paging backwards.

export interface PageOf<T> {
  items: T[];
  next_cursor?: string | null;
  /// The whole list's size, when the API counts it (H1: `total`, `total_exact`).
  total?: number;
  total_exact?: boolean;
}

export interface Place {
  /// The cursor of each page up to and including this one (null for the first).
  cursors: (string | null)[];
}

export const FIRST: Place = { cursors: [null] };

export const cursorOf = (p: Place) => p.cursors[p.cursors.length - 1];
export const pageIndex = (p: Place) => p.cursors.length - 1;
export const next = (p: Place, cursor: string): Place => ({ cursors: [...p.cursors, cursor] });
export const previous = (p: Place): Place => (p.cursors.length > 1 ? { cursors: p.cursors.slice(0, -1) } : p);

/// Which rows a page shows, counted from 1: { from: 51, to: 100, total: 131 }.
export function rangeOf(p: Place, pageSize: number, shown: number, total?: number) {
  const from = pageIndex(p) * pageSize + (shown > 0 ? 1 : 0);
  return { from, to: pageIndex(p) * pageSize + shown, total };
}

/// The query string of a list request.
export function listQuery(params: Record<string, string | undefined>, p: Place, pageSize: number, sort: string) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  q.set('limit', String(pageSize));
  // An empty sort leaves the order to the API's default.
  if (sort) q.set('sort', sort);
  const cursor = cursorOf(p);
  if (cursor) q.set('cursor', cursor);
  return q.toString();
}
