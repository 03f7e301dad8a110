// The tenant app: sign in (or accept an invite), then customers, deals, orders, the
// analytics dashboard and the team, all under /app/t/{tenant}. Every call goes to
// /v1/t/{tenant}/…, where the session cookie (scoped to that path) is the credential;
// the tracking SDK runs while someone is signed in (the user can opt out, next to an
// explanation of what it measures). When the session ends under the user, the sign-in
// form shows in place and the same screen comes back after it. A suspended tenant
// (`GET /status`, or any call answering 423 `tenant_suspended`) shows its people a
// "suspended" page instead of the sign-in form or the screens.
import { lazy, Suspense, useEffect, useState } from 'react';
import type { components } from '../api/tenant.gen';
import { useTranslation } from 'react-i18next';
import { onTenantSuspended, post } from '../api/client';
import { useSession } from '../data';
import { setLanguageOwner } from '../i18n';
import { queryClient, useApi } from '../query';
import { href, type Match, type RouteName } from '../routes';
import { navigate } from '../router';
import { startTracking, setTrackingOptOut, trackingOptedOut } from '../track';
import type { User, UserSession } from '../types';
import { Shell } from '../ui/Shell';
import { SignInForm } from '../ui/SignInForm';
import { ErrorBoundary } from '../ui/ErrorBoundary';
import { Empty, Loading } from '../ui/states';
import { usePageTitle } from '../ui/title';
import { Accept } from './Accept';
import { CustomerDetail } from './CustomerDetail';
import { Customers } from './Customers';
import { Deals } from './Deals';
import { Orders } from './Orders';
import { ResetPassword } from './ResetPassword';
import { Settings } from './Settings';
import { Suspended } from './Suspended';
import { useTenantSettings } from './settings';
import { Team } from './Team';

// Charts are most of the bundle's weight: load them only when the dashboard opens.
const Dashboard = lazy(() => import('./Dashboard').then((m) => ({ default: m.Dashboard })));

const SECTIONS = ['customers', 'deals', 'orders', 'dashboard', 'team', 'settings'] as const satisfies readonly RouteName[];

export function TenantApp({ slug, route }: { slug: string; route: Match }) {
  const { t } = useTranslation();
  const { session, expired, signedIn, signOut } = useSession<UserSession>(`/v1/t/${slug}/session`);
  usePageTitle(route, `${slug} · Atrium`);
  useEffect(() => {
    if (!session) return;
    const tracker = startTracking({ endpoint: `/v1/t/${slug}/events`, actor: session.user.id, csrf: session.csrf_token });
    return () => tracker.stop();
  }, [slug, session]);
  useTenantSettings(slug);
  const owner = session ? `app:${slug}:${session.user.id}` : null;
  useEffect(() => setLanguageOwner(owner), [owner]);

  const suspension = useSuspension(slug);

  const enter = (s: UserSession) => {
    signedIn(s);
    void queryClient.invalidateQueries();
    // Back to the screen the user was on; from an invite or a reset link, to the customers.
    if (route.name === 'accept' || route.name === 'reset' || route.name === 'home') navigate(href('customers', { slug }), true);
  };
  if (session === undefined || suspension.loading) return <Loading what={slug} />;
  if (suspension.suspended) return <Suspended name={suspension.name} checking={suspension.checking} onCheck={suspension.check} />;
  if (route.name === 'accept') return <Accept slug={slug} onIn={enter} />;
  if (route.name === 'reset') return <ResetPassword slug={slug} onIn={enter} />;
  if (session === null) return <SignInForm title={t('app.signIn', { slug })} expired={expired} submit={async (email, password) => enter(await post<UserSession>(`/v1/t/${slug}/sign-in`, { email, password }))} />;

  const section = route.name === 'customer' || route.name === 'home' ? 'customers' : route.name;
  const leave = async () => {
    await signOut();
    queryClient.clear();
  };
  return (
    <Shell
      brand={slug}
      navLabel={t('app.nav')}
      links={SECTIONS.map((s) => [href(s, { slug }), t(`nav.${s}`), `nav-${s}`] as const)}
      current={href(section, { slug })}
      who={t('app.who', { name: session.user.display_name, role: t(`roles.${session.user.role}`) })}
      tools={<TrackingToggle name={suspension.name} />}
      onSignOut={leave}
    >
      <Screen slug={slug} route={route} me={session.user} />
    </Shell>
  );
}

function Screen({ slug, route, me }: { slug: string; route: Match; me: User }) {
  const { t } = useTranslation();
  switch (route.name) {
    case 'customer':
      return <CustomerDetail slug={slug} id={route.params.id} me={me} />;
    case 'home':
    case 'customers':
      return <Customers slug={slug} />;
    case 'deals':
      return <Deals slug={slug} me={me} />;
    case 'orders':
      return <Orders slug={slug} />;
    case 'dashboard':
      return (
        <ErrorBoundary>
          <Suspense fallback={<Loading />}>
            <Dashboard slug={slug} />
          </Suspense>
        </ErrorBoundary>
      );
    case 'team':
      return <Team slug={slug} me={me} />;
    case 'settings':
      return <Settings slug={slug} me={me} />;
    default:
      return <Empty>{t('titles.notFound')}</Empty>;
  }
}

type TenantStatus = components['schemas']['TenantStatus'];

/// Whether the tenant is suspended: its public status says so, or a call of this app
/// answered 423 `tenant_suspended` (an operator suspended it while someone worked):
/// queries and forms alike, as the client reports every such answer with its path.
/// `check` asks again; once the tenant is active, everything is fetched anew.
function useSuspension(slug: string) {
  const status = useApi<TenantStatus>(`/v1/t/${slug}/status`);
  const [refused, setRefused] = useState(false);
  const [checking, setChecking] = useState(false);
  const { refetch } = status;
  useEffect(
    () =>
      onTenantSuspended((path) => {
        // Another tenant's answer (a console tab, a link to another workspace) is not ours.
        if (!path.startsWith(`/v1/t/${slug}/`)) return;
        setRefused(true);
        void refetch();
      }),
    [slug, refetch],
  );
  const check = async () => {
    setChecking(true);
    const r = await refetch().finally(() => setChecking(false));
    if (r.data?.state === 'active') {
      setRefused(false);
      void queryClient.invalidateQueries();
    }
  };
  return {
    // A status that can't be read (an unknown tenant) leaves it to the sign-in form to say.
    loading: status.data === undefined && !status.error,
    suspended: refused || status.data?.state === 'suspended',
    name: status.data?.display_name ?? slug,
    checking,
    check: () => void check(),
  };
}

/// The opt-out of this tenant's product analytics, with what it means one click away
/// (and read out with the checkbox, as its description).
function TrackingToggle({ name }: { name: string }) {
  const { t } = useTranslation();
  const [out, setOut] = useState(trackingOptedOut);
  const [open, setOpen] = useState(false);
  return (
    <span className="tracking">
      <label className="toggle">
        <input
          type="checkbox"
          checked={!out}
          aria-describedby="tracking-about"
          onChange={(e) => {
            setTrackingOptOut(!e.target.checked);
            setOut(!e.target.checked);
          }}
        />{' '}
        {t('app.usageAnalytics')}
      </label>
      <button type="button" className="info" aria-expanded={open} aria-controls="tracking-about" aria-label={t('app.usageAnalyticsAbout')} onClick={() => setOpen(!open)} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
        ?
      </button>
      <span id="tracking-about" className="popover" role="note" hidden={!open}>
        {t('app.usageAnalyticsHint', { name })}
      </span>
    </span>
  );
}
