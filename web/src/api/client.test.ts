import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, GET_TIMEOUT_MS, get, onSessionEnded, patch, post, setCsrf, del } from './client';
import { headersOf, json, mockFetch } from '../testing';

afterEach(() => setCsrf(''));

describe('api', () => {
  it('GETs JSON from the same origin without a body or a CSRF token', async () => {
    setCsrf('t0k');
    const fetch = mockFetch(() => json(200, { items: [1] }));
    expect(await get('/v1/things')).toEqual({ items: [1] });
    const [url, init] = fetch.mock.calls[0];
    expect(url).toBe('/v1/things');
    expect(init).toMatchObject({ method: 'GET', credentials: 'same-origin', body: undefined });
    expect(headersOf(init)).toEqual({ Accept: 'application/json' });
  });

  it('sends JSON and the session CSRF token with every change', async () => {
    setCsrf('t0k');
    const fetch = mockFetch(() => json(201, { id: 'x' }));
    expect(await post('/v1/things', { name: 'n' })).toEqual({ id: 'x' });
    const [, init] = fetch.mock.calls[0];
    expect(init.body).toBe('{"name":"n"}');
    expect(headersOf(init)).toMatchObject({ 'Content-Type': 'application/json', 'X-CSRF-Token': 't0k' });
  });

  it('sends an empty object when a POST has no body, and no token when signed out', async () => {
    const fetch = mockFetch(() => json(200, {}));
    await post('/v1/session');
    const [, init] = fetch.mock.calls[0];
    expect(init.body).toBe('{}');
    expect(headersOf(init)['X-CSRF-Token']).toBeUndefined();
  });

  it('sends If-Match with a PATCH when given a version', async () => {
    const fetch = mockFetch(() => json(200, {}));
    await patch('/v1/deals/1', { title: 't' }, '"3"');
    await patch('/v1/deals/1', { title: 't' });
    expect(headersOf(fetch.mock.calls[0][1])['If-Match']).toBe('"3"');
    expect(headersOf(fetch.mock.calls[1][1])['If-Match']).toBeUndefined();
  });

  it('resolves a 204 to undefined', async () => {
    mockFetch(() => new Response(null, { status: 204 }));
    expect(await del('/v1/session')).toBeUndefined();
  });

  it('turns problem+json into an ApiError with the stable code and field errors', async () => {
    mockFetch(() => json(422, { code: 'validation', detail: 'Check the fields.', errors: [{ field: 'body.email', message: 'not an email' }] }));
    const e = await post('/v1/users', {}).catch((e: unknown) => e);
    expect(e).toBeInstanceOf(ApiError);
    const a = e as ApiError;
    expect([a.status, a.code, a.detail, a.message]).toEqual([422, 'validation', 'Check the fields.', 'Check the fields.']);
    // Fields are matched by name, also at the end of a dotted path.
    expect(a.fieldError('email')?.message).toBe('not an email');
    expect(a.fieldError('name')).toBeUndefined();
  });

  it('falls back to the status text when an error has no body', async () => {
    mockFetch(() => new Response('', { status: 502, statusText: 'Bad Gateway' }));
    const e = (await get('/v1/x').catch((e: unknown) => e)) as ApiError;
    expect([e.status, e.code, e.detail, e.errors]).toEqual([502, 'error', 'Bad Gateway', []]);
  });

  it('reports an unreachable server as a network error', async () => {
    mockFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const e = (await get('/v1/x').catch((e: unknown) => e)) as ApiError;
    expect([e.status, e.code]).toEqual([0, 'network']);
    expect(e.detail).toMatch(/could not be reached/);
  });

  it('gives up a GET that takes too long, so no spinner turns forever', async () => {
    vi.useFakeTimers();
    try {
      mockFetch((_, init) => new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))));
      const pending = get('/v1/slow').catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(GET_TIMEOUT_MS + 1);
      const e = (await pending) as ApiError;
      expect([e.status, e.code]).toEqual([0, 'timeout']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a 401 while signed in as the end of the session, and not a failed sign-in', async () => {
    const ended = vi.fn();
    const off = onSessionEnded(ended);
    mockFetch(() => json(401, { code: 'unauthorized', detail: 'sign in' }));
    await post('/v1/session', {}).catch(() => {});
    expect(ended).not.toHaveBeenCalled();
    setCsrf('t0k');
    await get('/v1/t/acme/customers').catch(() => {});
    expect(ended).toHaveBeenCalledTimes(1);
    off();
  });
});
