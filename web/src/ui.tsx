// Shared building blocks. Form errors are tied to their inputs (aria-invalid,
// aria-describedby) and announced through a live region, so screen readers hear them.
import { useEffect, useState, type FormEvent, type ReactNode, type InputHTMLAttributes } from 'react';
import { ApiError } from './api';

export function Field({ label, error, id, ...input }: { label: string; error?: string; id: string } & InputHTMLAttributes<HTMLInputElement>) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-invalid={error ? true : undefined} aria-describedby={error ? `${id}-error` : undefined} {...input} />
      {error && (
        <span id={`${id}-error`} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

/// One announced message for the whole form: screen readers read it when it appears.
export function FormError({ error }: { error?: ApiError | string | null }) {
  const text = typeof error === 'string' ? error : error?.detail;
  return (
    <div role="alert" aria-live="assertive" className={text ? 'form-error' : 'form-error empty'}>
      {text ?? ''}
    </div>
  );
}

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

/// Loads `fn` when `deps` change; `reload` runs it again.
export function useLoad<T>(fn: () => Promise<T>, deps: unknown[]) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setError(null);
    fn()
      .then((d) => live && setData(d))
      .catch((e) => live && setError(e instanceof ApiError ? e : new ApiError(0, 'error', String(e))));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { data, error, reload: () => setTick((t) => t + 1), setData };
}

export function fmtDate(s: string) {
  return new Date(s).toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}

export function fmtMoney(cents: number, currency: string) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
  } catch {
    return `${(cents / 100).toFixed(2)} ${currency}`;
  }
}

/// "12.50" → 1250. Anything unparseable becomes -1, which the API refuses with a field
/// error (amounts can't be negative), so the message comes from the server's one rule.
export function toCents(amount: string): number {
  const cents = Math.round(parseFloat(amount || '0') * 100);
  return Number.isFinite(cents) ? cents : -1;
}

export function fmtBytes(n: number) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(0)} KB`;
  return `${(n / 1024 ** 2).toFixed(1)} MB`;
}

/// The one sign-in form (console and tenant app): `submit` resolves on success; a 401
/// becomes "Wrong email or password." without saying which.
export function SignInForm({ title, submit }: { title: string; submit: (email: string, password: string) => Promise<void> }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await submit(email, password);
    } catch (err) {
      const a = err instanceof ApiError ? err : new ApiError(0, 'error', String(err));
      setError(a.status === 401 ? new ApiError(401, 'unauthorized', 'Wrong email or password.') : a);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={onSubmit} aria-labelledby="signin-title" noValidate>
        <h1 id="signin-title">{title}</h1>
        <Field id="email" label="Email" type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} autoFocus />
        <Field id="password" label="Password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        <FormError error={error} />
        <button type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
