// What a screen shows before and instead of its data.
import type { ReactNode } from 'react';
import type { ApiError } from '../api';
import type { Page } from '../types';
import { FormError } from './forms';

export function Loading({ what }: { what: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty-state">{children}</div>;
}

interface Loadable<T> {
  data: T | null;
  error: ApiError | null;
}

/// The error if the request failed, a spinner until the first answer, `empty` when
/// `isEmpty` says there is nothing to show, and otherwise the content.
export function Loaded<T>({
  state,
  what,
  isEmpty,
  empty,
  explain = (e) => e,
  children,
}: {
  state: Loadable<T>;
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  /// Words for errors that deserve better ones than the server's.
  explain?: (e: ApiError) => ApiError | string;
  children: (data: T) => ReactNode;
}) {
  const { data, error } = state;
  return (
    <>
      {error && <FormError error={explain(error)} />}
      {data === null ? !error && <Loading what={what} /> : isEmpty?.(data) ? <Empty>{empty}</Empty> : children(data)}
    </>
  );
}

/// Loaded for a list endpoint's page: empty when it has no items.
export function LoadedItems<T>({ state, what, empty, children }: { state: Loadable<Page<T>>; what: string; empty: ReactNode; children: (items: T[]) => ReactNode }) {
  return (
    <Loaded state={state} what={what} isEmpty={(d) => d.items.length === 0} empty={empty}>
      {(d) => children(d.items)}
    </Loaded>
  );
}
