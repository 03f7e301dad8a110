// The tenant app: sign in (or accept an invite), then customers, deals, orders and the
// analytics dashboard, all under /app/t/{tenant}. Every call goes to /v1/t/{tenant}/…,
// where the session cookie (scoped to that path) is the credential; the tracking SDK
// runs while someone is signed in.
import { lazy, Suspense, useEffect, useState, type FormEvent } from 'react';
import { ApiError, get, post, del, setCsrf } from '../api';
import { Link, navigate } from '../router';
import { startTracking, setTrackingOptOut, trackingOptedOut } from '../track';
import { Field, FormError, Loading, SignInForm } from '../ui';
import { Customers, CustomerDetail } from './Customers';
import { Deals } from './Deals';
import { Orders } from './Orders';
import { Team } from './Team';

// Charts are most of the bundle's weight: load them only when the dashboard opens.
const Dashboard = lazy(() => import('./Dashboard').then((m) => ({ default: m.Dashboard })));

export interface User {
  id: string;
  email: string;
  display_name: string;
  role: 'admin' | 'member';
}

interface SessionInfo {
  user: User;
  csrf_token: string;
}

export function TenantApp({ slug, rest }: { slug: string; rest: string }) {
  const base = `/app/t/${slug}`;
  const [session, setSession] = useState<SessionInfo | null | undefined>(undefined);
  useEffect(() => {
    get<SessionInfo>(`/v1/t/${slug}/session`)
      .then((s) => {
        setCsrf(s.csrf_token);
        setSession(s);
      })
      .catch(() => setSession(null));
  }, [slug]);
  useEffect(() => {
    if (!session) return;
    const tracker = startTracking({ endpoint: `/v1/t/${slug}/events`, actor: session.user.id, csrf: session.csrf_token });
    return () => tracker.stop();
  }, [slug, session]);
  useEffect(() => {
    document.title = `${slug} · Atrium`;
  }, [slug]);

  const signedIn = (s: SessionInfo) => {
    setCsrf(s.csrf_token);
    setSession(s);
    navigate(`${base}/customers`, true);
  };
  if (session === undefined) return <Loading what={slug} />;
  if (rest.startsWith('/accept')) return <Accept slug={slug} onIn={signedIn} />;
  if (session === null) return <SignIn slug={slug} onIn={signedIn} />;

  const signOut = async () => {
    await del(`/v1/t/${slug}/session`).catch(() => {});
    setCsrf('');
    setSession(null);
  };
  const section = rest.split('/')[1] || 'customers';
  const nav = [
    ['customers', 'Customers'],
    ['deals', 'Deals'],
    ['orders', 'Orders'],
    ['dashboard', 'Dashboard'],
    ['team', 'Team'],
  ];
  const customer = rest.match(/^\/customers\/([0-9a-f-]{36})$/)?.[1];
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <strong className="brand">{slug}</strong>
        <nav aria-label="Main">
          {nav.map(([id, label]) => (
            <Link key={id} to={`${base}/${id}`} aria-current={section === id ? 'page' : undefined} data-track={`nav-${id}`}>
              {label}
            </Link>
          ))}
        </nav>
        <span className="who">
          {session.user.display_name} ({session.user.role})
        </span>
        <TrackingToggle />
        <button className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {customer ? (
          <CustomerDetail slug={slug} id={customer} />
        ) : section === 'deals' ? (
          <Deals slug={slug} />
        ) : section === 'orders' ? (
          <Orders slug={slug} />
        ) : section === 'dashboard' ? (
          <Suspense fallback={<Loading what="the dashboard" />}>
            <Dashboard slug={slug} />
          </Suspense>
        ) : section === 'team' ? (
          <Team slug={slug} me={session.user} />
        ) : (
          <Customers slug={slug} />
        )}
      </main>
    </div>
  );
}

function TrackingToggle() {
  const [out, setOut] = useState(trackingOptedOut());
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

function SignIn({ slug, onIn }: { slug: string; onIn: (s: SessionInfo) => void }) {
  return <SignInForm title={`Sign in to ${slug}`} submit={async (email, password) => onIn(await post<SessionInfo>(`/v1/t/${slug}/sign-in`, { email, password }))} />;
}

function Accept({ slug, onIn }: { slug: string; onIn: (s: SessionInfo) => void }) {
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? '';
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ApiError | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      onIn(await post<SessionInfo>(`/v1/t/${slug}/invites/accept`, { token, password, display_name: name || undefined }));
    } catch (err) {
      const a = err as ApiError;
      setError(a.code === 'not_found' ? new ApiError(404, 'not_found', 'This invite link is used up or has expired. Ask for a new one.') : a);
    }
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="accept-title" noValidate>
        <h1 id="accept-title">Join {slug}</h1>
        <Field id="name" label="Your name" value={name} onChange={(e) => setName(e.target.value)} autoFocus error={error?.field('display_name')} />
        <Field id="new-password" label="Choose a password (10 characters or more)" type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} error={error?.field('password')} />
        <FormError error={error && !error.field('password') ? error : null} />
        <button type="submit">Join</button>
      </form>
    </main>
  );
}

export function TenantPicker() {
  const [slug, setSlug] = useState('');
  const [error, setError] = useState('');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!/^[a-z][a-z0-9_]{2,39}$/.test(slug)) {
      setError('A workspace name starts with a lowercase letter, then 2–39 lowercase letters, digits or _.');
      return;
    }
    navigate(`/app/t/${slug}`);
  };
  return (
    <main className="signin" id="main">
      <form onSubmit={submit} aria-labelledby="pick-title" noValidate>
        <h1 id="pick-title">Atrium</h1>
        <Field id="slug" label="Workspace" value={slug} onChange={(e) => setSlug(e.target.value.trim())} error={error || undefined} placeholder="acme" autoFocus />
        <button type="submit">Continue</button>
      </form>
    </main>
  );
}
