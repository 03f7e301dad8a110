// Changes made by forms and buttons, and the session behind a face. Reads go through
// TanStack Query (query.ts).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, del, get, onSessionEnded, setCsrf } from './api/client';
import { toApiError } from './query';

export { toApiError };

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
  /// True when the last session ended under the user (a 401), not by signing out.
  expired: boolean;
  signedIn: (s: S) => void;
  signOut: () => Promise<void>;
}

/// The session behind `path` (GET to ask, DELETE to sign out). Every change of session
/// goes through here because the API client must send the new session's CSRF token.
/// A request that answers 401 while signed in ends the session here too.
export function useSession<S extends { csrf_token: string }>(path: string): Session<S> {
  const [session, setSession] = useState<S | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const set = useCallback((s: S | null) => {
    setCsrf(s?.csrf_token ?? '');
    setSession(s);
    if (s) setExpired(false);
  }, []);
  useEffect(() => {
    let live = true;
    get<S>(path).then(
      (s) => live && set(s),
      () => live && set(null),
    );
    const off = onSessionEnded(() => {
      set(null);
      setExpired(true);
    });
    return () => {
      live = false;
      off();
    };
  }, [path, set]);
  const signOut = async () => {
    // Signed out here even when the server can't be reached: the cookie expires anyway.
    await del(path).catch(() => {});
    set(null);
  };
  return { session, expired, signedIn: set, signOut };
}
