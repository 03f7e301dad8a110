// The tenant app: sign in (or accept an invite), then customers, deals, orders and the
// analytics dashboard, all under /app/t/{tenant}. Every call goes to /v1/t/{tenant}/…,
// where the session cookie (scoped to that path) is the credential; the tracking SDK
// runs while someone is signed in.
import { lazy, Suspense, useEffect, useState } from 'react';
import { post } from '../api';
import { useSession } from '../data';
import { navigate } from '../router';
import { startTracking, setTrackingOptOut, trackingOptedOut } from '../track';
import type { User, UserSession } from '../types';
import { Shell } from '../ui/Shell';
import { SignInForm } from '../ui/SignInForm';
import { Loading } from '../ui/states';
import { Accept } from './Accept';
import { CustomerDetail } from './CustomerDetail';
import { Customers } from './Customers';
import { Deals } from './Deals';
import { Orders } from './Orders';
import { Team } from './Team';

// Charts are most of the bundle's weight: load them only when the dashboard opens.
const Dashboard = lazy(() => import('./Dashboard').then((m) => ({ default: m.Dashboard })));

const SECTIONS = [
  ['customers', 'Customers'],
  ['deals', 'Deals'],
  ['orders', 'Orders'],
  ['dashboard', 'Dashboard'],
  ['team', 'Team'],
] as const;

export function TenantApp({ slug, rest }: { slug: string; rest: string }) {
  const base = `/app/t/${slug}`;
  const { session, signedIn, signOut } = useSession<UserSession>(`/v1/t/${slug}/session`);
  useEffect(() => {
    if (!session) return;
    const tracker = startTracking({ endpoint: `/v1/t/${slug}/events`, actor: session.user.id, csrf: session.csrf_token });
    return () => tracker.stop();
  }, [slug, session]);
  useEffect(() => {
    document.title = `${slug} · Atrium`;
  }, [slug]);

  const enter = (s: UserSession) => {
    signedIn(s);
    navigate(`${base}/customers`, true);
  };
  if (session === undefined) return <Loading what={slug} />;
  if (rest.startsWith('/accept')) return <Accept slug={slug} onIn={enter} />;
  if (session === null) return <SignInForm title={`Sign in to ${slug}`} submit={async (email, password) => enter(await post<UserSession>(`/v1/t/${slug}/sign-in`, { email, password }))} />;

  const section = rest.split('/')[1] || 'customers';
  return (
    <Shell
      brand={slug}
      navLabel="Main"
      links={SECTIONS.map(([id, label]) => [`${base}/${id}`, label, `nav-${id}`] as const)}
      current={`${base}/${section}`}
      who={`${session.user.display_name} (${session.user.role})`}
      tools={<TrackingToggle />}
      onSignOut={signOut}
    >
      <Screen slug={slug} rest={rest} section={section} me={session.user} />
    </Shell>
  );
}

function Screen({ slug, rest, section, me }: { slug: string; rest: string; section: string; me: User }) {
  const customer = rest.match(/^\/customers\/([0-9a-f-]{36})$/)?.[1];
  if (customer) return <CustomerDetail slug={slug} id={customer} />;
  switch (section) {
    case 'deals':
      return <Deals slug={slug} />;
    case 'orders':
      return <Orders slug={slug} />;
    case 'dashboard':
      return (
        <Suspense fallback={<Loading what="the dashboard" />}>
          <Dashboard slug={slug} />
        </Suspense>
      );
    case 'team':
      return <Team slug={slug} me={me} />;
    default:
      return <Customers slug={slug} />;
  }
}

function TrackingToggle() {
  const [out, setOut] = useState(trackingOptedOut);
  return (
    <label className="toggle">
      <input
        type="checkbox"
        checked={!out}
        onChange={(e) => {
          setTrackingOptOut(!e.target.checked);
          setOut(!e.target.checked);
        }}
      />{' '}
      Usage analytics
    </label>
  );
}
