// The operator console: sign in, tenants (create, suspend, resume, invite, delete with
// export), migration status, and the audit log. Everything goes through /v1 on the
// control plane, exactly as a script would.
import { useEffect, useState } from 'react';
import { get, post, del, setCsrf } from '../api';
import { Link, navigate } from '../router';
import { Loading, SignInForm } from '../ui';
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
  return (
    <SignInForm
      title="Sign in to the Atrium console"
      submit={async (email, password) => {
        const s = await post<SessionInfo>('/v1/session', { email, password });
        setCsrf(s.csrf_token);
        onIn(s.operator);
      }}
    />
  );
}
