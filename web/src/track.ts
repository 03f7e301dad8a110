// Atrium's browser tracking SDK. Usable by any page: `startTracking({ endpoint })`.
//
// - pageviews on every route change (and the first load);
// - clicks on elements marked `data-track="name"` (the closest marked ancestor counts);
// - dwell: visible time per page (Page Visibility API), sent when the page changes or hides;
// - events are batched, flushed every few seconds or when the batch is full, and flushed
//   with navigator.sendBeacon when the page is hidden, so nothing waits on analytics;
// - every event gets a client-made UUID, the server's idempotency key: a retried or
//   duplicated batch is still counted once;
// - page views and dwell carry a route template (`/customers/:id`), from the app's route
//   table when it passes `routeOf`, else derived as the server derives one (see
//   routeTemplate), so every customer's page counts as one page in the dashboards;
// - opting out (setTrackingOptOut(true), kept in localStorage) stops everything.

import { onRouteChange } from './router';

export interface TrackOptions {
  /// e.g. /v1/t/acme/events
  endpoint: string;
  /// The signed-in user's id, so browser events and server business events join up.
  actor?: string;
  /// Sent as ?csrf= on beacons (which can't carry headers) and as a header otherwise.
  csrf?: string;
  flushMs?: number;
  maxBatch?: number;
  /// The app's base path, stripped once from routes; default `/app/t/{slug}`.
  basePath?: string;
  /// The route template of a path (base path already stripped), from the app's route
  /// table; undefined falls back to routeTemplate's derivation.
  routeOf?: (path: string) => string | undefined;
}

interface ClientEvent {
  event_id: string;
  name: string;
  actor: string;
  session_id: string;
  path: string;
  route?: string;
  url: string;
  referrer: string;
  client_ts: string;
  duration_ms?: number;
  props: Record<string, string>;
}

const OPT_OUT_KEY = 'atrium.tracking.optout';

export function trackingOptedOut(): boolean {
  return localStorage.getItem(OPT_OUT_KEY) === '1';
}

export function setTrackingOptOut(out: boolean) {
  if (out) localStorage.setItem(OPT_OUT_KEY, '1');
  else localStorage.removeItem(OPT_OUT_KEY);
}

const APP_BASE = /^\/app\/t\/[^/]+/;
// A UUID, a number or a hex id of 16 digits or more: the segments the server's query
// turns into :id too (crates/atrium-analytics/src/route.rs).
const ID_SEGMENT = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9]+|[0-9a-f]{16,})$/i;

function stripBase(path: string, basePath?: string): string {
  const rest = basePath === undefined ? path.replace(APP_BASE, '') : path.startsWith(basePath) ? path.slice(basePath.length) : path;
  return rest === '' || rest === '/' ? '/' : rest;
}

/// `/app/t/acme/customers/0190…` → `/customers/:id`: the base path stripped once, ids
/// replaced by `:id`.
export function routeTemplate(path: string, basePath?: string): string {
  const rest = stripBase(path, basePath);
  return rest
    .split('/')
    .map((seg) => (ID_SEGMENT.test(seg) ? ':id' : seg))
    .join('/');
}

function uuid(): string {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function sessionId(): string {
  let id = sessionStorage.getItem('atrium.session');
  if (!id) {
    id = uuid();
    sessionStorage.setItem('atrium.session', id);
  }
  return id;
}

function anonymousId(): string {
  let id = localStorage.getItem('atrium.anon');
  if (!id) {
    id = `anon-${uuid()}`;
    localStorage.setItem('atrium.anon', id);
  }
  return id;
}

export interface Tracker {
  track(name: string, props?: Record<string, string>, durationMs?: number): void;
  flush(): void;
  stop(): void;
}

export function startTracking(opts: TrackOptions): Tracker {
  const maxBatch = opts.maxBatch ?? 20;
  const actor = opts.actor || anonymousId();
  const session = sessionId();
  const queue: ClientEvent[] = [];
  let page = location.pathname;
  let visibleSince: number | null = document.visibilityState === 'visible' ? performance.now() : null;
  let visibleMs = 0;

  const routeOf = (path: string) => opts.routeOf?.(stripBase(path, opts.basePath)) ?? routeTemplate(path, opts.basePath);

  const track = (name: string, props: Record<string, string> = {}, durationMs?: number, path = location.pathname) => {
    if (trackingOptedOut()) return;
    queue.push({
      event_id: uuid(),
      name,
      actor,
      session_id: session,
      path,
      route: name === 'pageview' || name === 'dwell' ? routeOf(path) : undefined,
      url: location.origin + path,
      referrer: document.referrer.slice(0, 2000),
      client_ts: new Date().toISOString(),
      duration_ms: durationMs,
      props,
    });
    if (queue.length >= maxBatch) flush();
  };

  const send = (events: ClientEvent[], beacon: boolean) => {
    const body = JSON.stringify({ events });
    if (beacon && navigator.sendBeacon) {
      const url = opts.csrf ? `${opts.endpoint}?csrf=${encodeURIComponent(opts.csrf)}` : opts.endpoint;
      if (navigator.sendBeacon(url, new Blob([body], { type: 'text/plain;charset=UTF-8' }))) return;
    }
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (opts.csrf) headers['X-CSRF-Token'] = opts.csrf;
    // keepalive lets the request outlive the page; failures are dropped, never retried
    // in a loop: analytics must not cost the user anything.
    fetch(opts.endpoint, { method: 'POST', headers, body, keepalive: true, credentials: 'same-origin' }).catch(() => {});
  };

  function flush(beacon = false) {
    while (queue.length) send(queue.splice(0, 100), beacon);
  }

  const dwell = () => {
    if (visibleSince !== null) visibleMs += performance.now() - visibleSince;
    visibleSince = document.visibilityState === 'visible' ? performance.now() : null;
    const ms = Math.round(visibleMs);
    visibleMs = 0;
    if (ms > 0) track('dwell', {}, ms, page);
  };

  const onRoute = () => {
    if (location.pathname === page) return;
    dwell();
    page = location.pathname;
    track('pageview');
  };

  const onClick = (e: MouseEvent) => {
    const el = (e.target as Element | null)?.closest?.('[data-track]');
    if (el) track('click', { target: (el.getAttribute('data-track') ?? '').slice(0, 100) });
  };

  const onVisibility = () => {
    if (document.visibilityState === 'hidden') {
      dwell();
      flush(true);
    } else {
      visibleSince = performance.now();
    }
  };
  const onPageHide = () => {
    dwell();
    flush(true);
  };

  track('pageview');
  const unroute = onRouteChange(onRoute);
  document.addEventListener('click', onClick, true);
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('pagehide', onPageHide);
  const timer = window.setInterval(() => flush(), opts.flushMs ?? 3000);

  return {
    track: (name, props, d) => track(name, props, d),
    flush: () => flush(),
    stop: () => {
      dwell();
      flush();
      unroute();
      document.removeEventListener('click', onClick, true);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onPageHide);
      window.clearInterval(timer);
    },
  };
}
