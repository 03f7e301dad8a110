// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { navigate } from './router';
import { routeTemplate, setTrackingOptOut, startTracking, trackingOptedOut, type Tracker } from './track';
import { headersOf, mockFetch } from './testing';

interface Sent {
  name: string;
  event_id: string;
  actor: string;
  session_id: string;
  path: string;
  route?: string;
  url: string;
  duration_ms?: number;
  props: Record<string, string>;
}

/// The events in every batch the mocked fetch was given, in order.
function sentEvents(fetch: ReturnType<typeof mockFetch>): Sent[] {
  return fetch.mock.calls.flatMap(([, init]) => JSON.parse(init.body as string).events as Sent[]);
}

function readText(blob: Blob): Promise<string> {
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.readAsText(blob);
  });
}

function setVisibility(state: 'visible' | 'hidden') {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => state });
  document.dispatchEvent(new Event('visibilitychange'));
}

let tracker: Tracker | null = null;
const start = (opts: Partial<Parameters<typeof startTracking>[0]> = {}) => (tracker = startTracking({ endpoint: '/v1/t/acme/events', ...opts }));

beforeEach(() => {
  localStorage.clear();
  sessionStorage.clear();
  history.replaceState(null, '', '/app/t/acme/customers');
  setVisibility('visible');
  vi.useFakeTimers();
});

afterEach(() => {
  tracker?.stop();
  tracker = null;
  vi.useRealTimers();
});

describe('tracking', () => {
  it('sends a pageview for the first page, with an id, the actor and a session', () => {
    const fetch = mockFetch();
    start({ actor: 'user-1', csrf: 'c' });
    tracker!.flush();
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/v1/t/acme/events');
    expect(init).toMatchObject({ method: 'POST', keepalive: true, credentials: 'same-origin' });
    expect(headersOf(init)).toMatchObject({ 'X-CSRF-Token': 'c', 'Content-Type': 'application/json' });
    const [e] = sentEvents(fetch);
    expect(e).toMatchObject({ name: 'pageview', actor: 'user-1', path: '/app/t/acme/customers', url: `${location.origin}/app/t/acme/customers` });
    expect(e.event_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(e.session_id).toBe(sessionStorage.getItem('atrium.session'));
  });

  it('gives an anonymous visitor one id that lasts', () => {
    const fetch = mockFetch();
    start();
    tracker!.flush();
    const actor = sentEvents(fetch)[0].actor;
    expect(actor).toMatch(/^anon-/);
    expect(localStorage.getItem('atrium.anon')).toBe(actor);
  });

  it('flushes on its interval and when a batch is full', () => {
    const fetch = mockFetch();
    start({ flushMs: 1000, maxBatch: 3 });
    expect(fetch).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(fetch).toHaveBeenCalledTimes(1);
    tracker!.track('a');
    tracker!.track('b');
    tracker!.track('c');
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(sentEvents(fetch).map((e) => e.name)).toEqual(['pageview', 'a', 'b', 'c']);
  });

  it('counts clicks on the closest element marked data-track', () => {
    const fetch = mockFetch();
    document.body.innerHTML = '<button data-track="save"><span id="inner">Save</span></button><p id="plain">text</p>';
    start();
    document.getElementById('inner')!.click();
    document.getElementById('plain')!.click();
    tracker!.flush();
    const clicks = sentEvents(fetch).filter((e) => e.name === 'click');
    expect(clicks.map((e) => e.props)).toEqual([{ target: 'save' }]);
  });

  it('on a route change, sends the time the last page was visible, then a pageview', () => {
    const fetch = mockFetch();
    const now = vi.spyOn(performance, 'now').mockReturnValue(1000);
    start();
    now.mockReturnValue(3500);
    navigate('/app/t/acme/deals');
    navigate('/app/t/acme/deals'); // the same page again is no new view
    tracker!.flush();
    const events = sentEvents(fetch).map((e) => [e.name, e.path, e.duration_ms]);
    expect(events).toEqual([
      ['pageview', '/app/t/acme/customers', undefined],
      ['dwell', '/app/t/acme/customers', 2500],
      ['pageview', '/app/t/acme/deals', undefined],
    ]);
  });

  it('sends by beacon when the page hides, with the CSRF token in the query', async () => {
    const fetch = mockFetch();
    const beacon = vi.fn<(url: string, data: Blob) => boolean>(() => true);
    Object.defineProperty(navigator, 'sendBeacon', { configurable: true, value: beacon });
    start({ csrf: 'a b' });
    setVisibility('hidden');
    expect(fetch).not.toHaveBeenCalled();
    expect(beacon).toHaveBeenCalledTimes(1);
    const [url, blob] = beacon.mock.calls[0];
    expect(url).toBe('/v1/t/acme/events?csrf=a%20b');
    // text/plain: a beacon with a JSON type would need a CORS preflight it can't make.
    expect(blob.type).toBe('text/plain;charset=utf-8');
    vi.useRealTimers(); // jsdom's FileReader finishes on a timer
    expect(JSON.parse(await readText(blob)).events[0].name).toBe('pageview');
    Reflect.deleteProperty(navigator, 'sendBeacon');
  });

  it('stops everything for someone who opted out', () => {
    const fetch = mockFetch();
    setTrackingOptOut(true);
    expect(trackingOptedOut()).toBe(true);
    start();
    tracker!.track('click');
    tracker!.flush();
    expect(fetch).not.toHaveBeenCalled();
    setTrackingOptOut(false);
    expect(trackingOptedOut()).toBe(false);
  });

  it('listens to nothing once stopped, after sending what it had', () => {
    const fetch = mockFetch();
    document.body.innerHTML = '<button data-track="save">Save</button>';
    start({ flushMs: 1000 });
    tracker!.stop();
    tracker = null;
    expect(sentEvents(fetch).map((e) => e.name)).toEqual(['pageview']);
    document.querySelector('button')!.click();
    navigate('/app/t/acme/orders');
    vi.advanceTimersByTime(5000);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('never lets a failed send reach the page', async () => {
    const fetch = mockFetch(() => Promise.reject(new TypeError('offline')));
    start();
    tracker!.flush();
    // An unhandled rejection would fail this run.
    vi.useRealTimers();
    await new Promise((r) => setTimeout(r, 10));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('sends route templates for page views and dwell, the app base path stripped once', () => {
    const fetch = mockFetch();
    const now = vi.spyOn(performance, 'now').mockReturnValue(1000);
    history.replaceState(null, '', '/app/t/acme/customers/0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b');
    start();
    now.mockReturnValue(2000);
    navigate('/app/t/acme/deals/42');
    tracker!.track('deal_created');
    tracker!.flush();
    const events = sentEvents(fetch).map((e) => [e.name, e.route]);
    expect(events).toEqual([
      ['pageview', '/customers/:id'],
      ['dwell', '/customers/:id'],
      ['pageview', '/deals/:id'],
      ['deal_created', undefined],
    ]);
  });

  it('uses the route table it is given over the derived template', () => {
    const fetch = mockFetch();
    start({ routeOf: (path) => (path.startsWith('/customers') ? '/customers/:customerId' : undefined) });
    tracker!.flush();
    expect(sentEvents(fetch)[0].route).toBe('/customers/:customerId');
  });
});

describe('routeTemplate', () => {
  it('groups ids and strips the base path once', () => {
    expect(routeTemplate('/app/t/acme')).toBe('/');
    expect(routeTemplate('/app/t/acme/')).toBe('/');
    expect(routeTemplate('/app/t/acme/app/t/x')).toBe('/app/t/x');
    expect(routeTemplate('/customers/0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B/deals/7')).toBe('/customers/:id/deals/:id');
    expect(routeTemplate('/orders/deadbeefdeadbeefdeadbeef/1/2')).toBe('/orders/:id/:id/:id');
    expect(routeTemplate('/pricing')).toBe('/pricing');
    expect(routeTemplate('/console/tenants/acme', '/console')).toBe('/tenants/acme');
  });
});
