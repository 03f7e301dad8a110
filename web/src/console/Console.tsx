// The operator console: sign in, tenants (create, suspend, resume, invite, delete with
// export), migration status, and the audit log. Everything goes through /v1 on the
// control plane, exactly as a script would.
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, del, setCsrf } from '../api';
import { Link, navigate } from '../router';
import { Field, FormError, Loading } from '../ui';
import { Tenants } from './Tenants';
import { AuditLog } from './AuditLog';

export interface Operator {
  id: string;
  email: string;
  display_name: string;
}

interface SessionInfo {
  operator: Operator;
  csrf_token: string;
}

export function Console({ path }: { path: string }) {
  const [me, setMe] = useState<Operator | null | undefined>(undefined);
  useEffect(() => {
    document.title = 'Atrium console';
    get<SessionInfo>('/v1/session')
      .then((s) => {
        setCsrf(s.csrf_token);
        setMe(s.operator);
      })
      .catch(() => setMe(null));
  }, []);
  if (me === undefined) return <Loading what="the console" />;
  if (me === null) return <SignIn onIn={setMe} />;
  const signOut = async () => {
    await del('/v1/session').catch(() => {});
    setCsrf('');
    setMe(null);
    navigate('/console');
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <strong className="brand">Atrium console</strong>
        <nav aria-label="Console">
          <Link to="/console" aria-current={path === '/console' ? 'page' : undefined}>
            Tenants
          </Link>
          <Link to="/console/audit" aria-current={path === '/console/audit' ? 'page' : undefined}>
            Audit log
          </Link>
        </nav>
        <span className="who">{me.email}</span>
        <button className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {path === '/console/audit' ? <AuditLog /> : <Tenants />}
      </main>
    </div>
  );
}

function SignIn({ onIn }: { onIn: (o: Operator) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const s = await post<SessionInfo>('/v1/session', { email, password });
      setCsrf(s.csrf_token);
      onIn(s.operator);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? new ApiError(401, 'unauthorized', 'Wrong email or password.') : (err as ApiError));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="signin-title" noValidate>
        <h1 id="signin-title">Sign in to the Atrium console</h1>
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
