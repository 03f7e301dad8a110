// The one HTTP client: same-origin JSON, the session's CSRF token on every change, and
// problem+json errors turned into ApiError with the server's stable `code`. A 401 while
// signed in means the session ended: the face that registered `onSessionEnded` shows its
// sign-in form, and the screen behind it comes back after signing in.

export interface FieldError {
  field: string;
  message: string;
  /// The rule broken, for the client's own words (see docs/web-console.md).
  code?: string;
  params?: Record<string, string | number>;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    public detail: string,
    public errors: FieldError[] = [],
  ) {
    super(detail);
  }

  /// The error the server tied to one form field, if any.
  fieldError(name: string): FieldError | undefined {
    return this.errors.find((e) => e.field === name || e.field.endsWith(`.${name}`));
  }
}

let csrfToken = '';
let sessionEnded: (() => void) | null = null;

export function setCsrf(token: string) {
  csrfToken = token;
}

/// Called when a request made while signed in answers 401; returns an unregister.
export function onSessionEnded(fn: () => void): () => void {
  sessionEnded = fn;
  return () => {
    if (sessionEnded === fn) sessionEnded = null;
  };
}

const suspendedListeners = new Set<(path: string) => void>();

/// Called with the path of every request answered 423 `tenant_suspended` (GETs and
/// changes alike); returns an unregister.
export function onTenantSuspended(fn: (path: string) => void): () => void {
  suspendedListeners.add(fn);
  return () => void suspendedListeners.delete(fn);
}

/// A GET that takes longer than this is given up, so no spinner turns forever.
export const GET_TIMEOUT_MS = 15_000;

export interface RequestOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /// Give up (ApiError code `timeout`) after this long.
  timeoutMs?: number;
}

export async function api<T>(method: string, path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
  const h: Record<string, string> = { Accept: 'application/json', ...options.headers };
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) h['X-CSRF-Token'] = csrfToken;
  const abort = new AbortController();
  let timedOut = false;
  const timer = options.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        abort.abort();
      }, options.timeoutMs)
    : undefined;
  const stop = () => abort.abort();
  options.signal?.addEventListener('abort', stop);
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: h,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      signal: abort.signal,
    });
  } catch (e) {
    if (timedOut) throw new ApiError(0, 'timeout', 'The server took too long to answer.');
    if (options.signal?.aborted) throw e;
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let data: { code?: string; detail?: string; errors?: FieldError[] } | undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!res.ok) {
    if (res.status === 401 && csrfToken) sessionEnded?.();
    if (res.status === 423 && data?.code === 'tenant_suspended') suspendedListeners.forEach((fn) => fn(path));
    throw new ApiError(res.status, data?.code ?? 'error', data?.detail ?? res.statusText, data?.errors ?? []);
  }
  return data as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, { signal, timeoutMs: GET_TIMEOUT_MS });
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const patch = <T>(path: string, body: unknown, ifMatch?: string) => api<T>('PATCH', path, body, { headers: ifMatch ? { 'If-Match': ifMatch } : {} });
export const del = <T>(path: string) => api<T>('DELETE', path);
