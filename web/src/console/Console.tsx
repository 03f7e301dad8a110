// The operator console: sign in, tenants (create, suspend, resume, invite, delete with
// export, restore to a moment), migration status, backups, operators (add, set a
// password, disable, enable), clusters (add, drain, open, remove), and the audit log. Everything goes through /v1 on the
// control plane, exactly as a script would.
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../api/client';
import { useSession } from '../data';
import { setLanguageOwner } from '../i18n';
import { queryClient } from '../query';
import { href, type Match } from '../routes';
import { navigate } from '../router';
import type { OperatorSession } from '../types';
import { Shell } from '../ui/Shell';
import { SignInForm } from '../ui/SignInForm';
import { Empty, Loading } from '../ui/states';
import { usePageTitle } from '../ui/title';
import { AuditLog } from './AuditLog';
import { Backups } from './Backups';
import { Clusters } from './Clusters';
import { Operators } from './Operators';
import { Overview } from './Overview';
import { TenantDetail } from './TenantDetail';
import { Tenants } from './Tenants';

const LINKS = [
  ['consoleOverview', 'nav.overview'],
  ['consoleTenants', 'nav.tenants'],
  ['consoleOperators', 'nav.operators'],
  ['consoleClusters', 'nav.clusters'],
  ['consoleBackups', 'nav.backups'],
  ['consoleAudit', 'nav.audit'],
] as const;

export function Console({ route }: { route: Match | null }) {
  const { t } = useTranslation();
  const { session, expired, signedIn, signOut } = useSession<OperatorSession>('/v1/session');
  usePageTitle(route, t('console.brand'));
  const owner = session ? `control:${session.operator.id}` : null;
  useEffect(() => setLanguageOwner(owner), [owner]);
  if (session === undefined) return <Loading />;
  if (session === null) {
    const enter = async (email: string, password: string) => {
      signedIn(await post<OperatorSession>('/v1/session', { email, password }));
      void queryClient.invalidateQueries();
    };
    return <SignInForm title={t('console.signIn')} expired={expired} submit={enter} />;
  }
  const leave = async () => {
    await signOut();
    queryClient.clear();
    navigate('/console');
  };
  const links = LINKS.map(([name, label]) => [href(name, {}), t(label)] as const);
  return (
    <Shell brand={t('console.brand')} navLabel={t('console.nav')} links={links} current={currentLink(route)} who={session.operator.email} onSignOut={leave}>
      <Screen route={route} me={session.operator.id} />
    </Shell>
  );
}

/// The navigation entry a route belongs to (a tenant's page is under Tenants).
function currentLink(route: Match | null): string {
  if (!route) return '';
  if (route.name === 'consoleTenant') return href('consoleTenants', {});
  return href(route.name as (typeof LINKS)[number][0], {});
}

function Screen({ route, me }: { route: Match | null; me: string }) {
  const { t } = useTranslation();
  switch (route?.name) {
    case 'consoleOverview':
      return <Overview />;
    case 'consoleTenants':
      return <Tenants />;
    case 'consoleTenant':
      return <TenantDetail slug={route.params.slug} />;
    case 'consoleOperators':
      return <Operators me={me} />;
    case 'consoleClusters':
      return <Clusters />;
    case 'consoleBackups':
      return <Backups />;
    case 'consoleAudit':
      return <AuditLog />;
    default:
      return <Empty>{t('titles.notFound')}</Empty>;
  }
}
