// What a screen shows before and instead of its data: a spinner (which the request's
// timeout ends), an error with a Retry button, or an empty state.
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ApiError } from '../api/client';
import type { Query } from '../query';
import { errorMessage } from './errors';

export function Loading({ what }: { what?: string }) {
  const { t } = useTranslation();
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> {what ? t('states.loadingWhat', { what }) : t('states.loading')}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty-state">{children}</div>;
}

/// A failed load, said in the user's language, with a way to try again.
export function LoadError({ error, retry, explain }: { error: ApiError; retry: () => void; explain?: (e: ApiError) => string | null }) {
  const { t } = useTranslation();
  return (
    <div role="alert" className="load-error">
      <span>{explain?.(error) ?? errorMessage(t, error)}</span>{' '}
      <button type="button" className="secondary" onClick={retry}>
        {t('states.retry')}
      </button>
    </div>
  );
}

/// The error if the request failed (with Retry), a spinner until the first answer,
/// `empty` when `isEmpty` says there is nothing to show, and otherwise the content.
export function Loaded<T>({
  query,
  what,
  isEmpty,
  empty,
  explain,
  children,
}: {
  query: Query<T>;
  what?: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  /// Words for errors that deserve better ones than the generic; null keeps those.
  explain?: (e: ApiError) => string | null;
  children: (data: T) => ReactNode;
}) {
  const { data, error } = query;
  return (
    <>
      {error && <LoadError error={error} retry={() => void query.refetch()} explain={explain} />}
      {data === undefined ? !error && <Loading what={what} /> : isEmpty?.(data) ? <Empty>{empty}</Empty> : children(data)}
    </>
  );
}
