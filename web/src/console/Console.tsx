// The operator console: sign in, tenants (create, suspend, resume, invite, delete with
// export, restore to a moment), migration status, backups, operators (add, set a password, disable, enable), and the
// audit log. Everything goes through /v1 on the
// control plane, exactly as a script would.
import { useEffect } from 'react';
import { post } from '../api';
import { useSession } from '../data';
import { navigate } from '../router';
import type { OperatorSession } from '../types';
import { Shell } from '../ui/Shell';
import { SignInForm } from '../ui/SignInForm';
import { Loading } from '../ui/states';
import { AuditLog } from './AuditLog';
import { Backups } from './Backups';
import { Operators } from './Operators';
import { Tenants } from './Tenants';

const LINKS = [
  ['/console', 'Tenants'],
  ['/console/operators', 'Operators'],
  ['/console/backups', 'Backups'],
  ['/console/audit', 'Audit log'],
] as const;

export function Console({ path }: { path: string }) {
  const { session, signedIn, signOut } = useSession<OperatorSession>('/v1/session');
  useEffect(() => {
    document.title = 'Atrium console';
  }, []);
  if (session === undefined) return <Loading what="the console" />;
  if (session === null) {
    return <SignInForm title="Sign in to the Atrium console" submit={async (email, password) => signedIn(await post<OperatorSession>('/v1/session', { email, password }))} />;
  }
  const leave = async () => {
    await signOut();
    navigate('/console');
  };
  return (
    <Shell brand="Atrium console" navLabel="Console" links={[...LINKS]} current={path} who={session.operator.email} onSignOut={leave}>
      {path === '/console/audit' ? <AuditLog /> : path === '/console/operators' ? <Operators me={session.operator.id} /> : path === '/console/backups' ? <Backups /> : <Tenants />}
    </Shell>
  );
}
