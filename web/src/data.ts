// The hooks through which screens read and change data: one place decides what a screen
// shows while a request runs, after it fails, and which session's CSRF token is sent.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, setCsrf } from './api';

/// Anything a request threw, as an ApiError, so screens handle one kind of error.
export function toApiError(e: unknown): ApiError {
  return e instanceof ApiError ? e : new ApiError(0, 'error', String(e));
}

export interface Resource<T> {
  /// null until the first answer; afterwards the last good answer, also while reloading.
  data: T | null;
  /// The error of the newest request only: a reload or a new path clears it.
  error: ApiError | null;
  reload: () => void;
  /// For optimistic changes, which the next reload confirms or replaces.
  setData: (data: T | null) => void;
}

/// GETs `path` now, whenever it changes, and on `reload`. The previous answer stays on
/// screen while the next request runs, so typing in a search box doesn't flash a spinner;
/// an answer that arrives after the path changed is dropped.
export function useGet<T>(path: string): Resource<T> {
  const [tick, setTick] = useState(0);
  const request = `${tick} ${path}`;
  const [result, setResult] = useState<{ request: string; data: T | null; error: ApiError | null }>({ request: '', data: null, error: null });
  useEffect(() => {
    let live = true;
    get<T>(path).then(
      (data) => live && setResult({ request, data, error: null }),
      (e: unknown) => live && setResult((r) => ({ request, data: r.data, error: toApiError(e) })),
    );
    return () => {
      live = false;
    };
  }, [path, request]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const setData = useCallback((data: T | null) => setResult((r) => ({ ...r, data })), []);
  return { data: result.data, error: result.request === request ? result.error : null, reload, setData };
}

export interface Action {
  busy: boolean;
  error: ApiError | null;
  setError: (e: ApiError | null) => void;
  /// Runs `fn`, keeping `busy` and `error`; resolves to whether it succeeded.
  run: (fn: () => Promise<unknown>) => Promise<boolean>;
  /// `run` as a form's onSubmit (the page is not reloaded).
  submit: (fn: () => Promise<unknown>) => (e: FormEvent) => void;
}

/// A change made by a form or a button: its error stays until the next try.
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(toApiError(e));
      return false;
    } finally {
      setBusy(false);
    }
  };
  const submit = (fn: () => Promise<unknown>) => (e: FormEvent) => {
    e.preventDefault();
    void run(fn);
  };
  return { busy, error, setError, run, submit };
}

export interface Session<S> {
  /// undefined while asking the server, null when signed out.
  session: S | null | undefined;
  signedIn: (s: S) => void;
  signOut: () => Promise<void>;
}

/// The session behind `path` (GET to ask, DELETE to sign out). Every change of session
/// goes through here because the API client must send the new session's CSRF token.
export function useSession<S extends { csrf_token: string }>(path: string): Session<S> {
  const [session, setSession] = useState<S | null | undefined>(undefined);
  const set = useCallback((s: S | null) => {
    setCsrf(s?.csrf_token ?? '');
    setSession(s);
  }, []);
  useEffect(() => {
    let live = true;
    get<S>(path).then(
      (s) => live && set(s),
      () => live && set(null),
    );
    return () => {
      live = false;
    };
  }, [path, set]);
  const signOut = async () => {
    // Signed out here even when the server can't be reached: the cookie expires anyway.
    await del(path).catch(() => {});
    set(null);
  };
  return { session, signedIn: set, signOut };
}
