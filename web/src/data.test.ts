// @vitest-environment jsdom
import type { FormEvent } from 'react';
import { act } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, post, setCsrf } from './api/client';
import { toApiError, useAction, useSession } from './data';
import { deferred, headersOf, json, mockFetch, renderHook, settle } from './testing';

afterEach(() => setCsrf(''));

describe('useAction', () => {
  it('is busy while it runs and keeps the error until the next try', async () => {
    const { result } = renderHook(() => useAction(), {});
    const step = deferred<void>();
    let ok: Promise<boolean> = Promise.resolve(false);
    act(() => {
      ok = result.current.run(() => step.promise.then(() => Promise.reject(new ApiError(409, 'conflict', 'Taken.'))));
    });
    expect(result.current.busy).toBe(true);
    step.resolve();
    await settle();
    expect(await ok).toBe(false);
    expect(result.current).toMatchObject({ busy: false, error: { code: 'conflict' } });
    await act(async () => {
      ok = result.current.run(async () => {});
    });
    expect(await ok).toBe(true);
    expect(result.current.error).toBeNull();
  });

  it('submits a form without reloading the page', async () => {
    const { result } = renderHook(() => useAction(), {});
    const fn = vi.fn(async () => {});
    const event = { preventDefault: vi.fn() } as unknown as FormEvent;
    await act(async () => result.current.submit(fn)(event));
    expect(event.preventDefault).toHaveBeenCalled();
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('turns anything thrown into an ApiError', () => {
    const e = toApiError(new Error('x'));
    expect(e).toBeInstanceOf(ApiError);
    expect([e.status, e.code, e.detail]).toEqual([0, 'error', 'Error: x']);
    const a = new ApiError(404, 'not_found', 'gone');
    expect(toApiError(a)).toBe(a);
  });
});

describe('useSession', () => {
  it('is undefined while asking, then the session, whose CSRF token the client sends', async () => {
    const fetch = mockFetch((url) => json(200, url === '/v1/session' ? { operator: { id: 'o' }, csrf_token: 'tok' } : {}));
    const { result } = renderHook(() => useSession<{ csrf_token: string }>('/v1/session'), {});
    expect(result.current.session).toBeUndefined();
    await settle();
    expect(result.current.session).toMatchObject({ csrf_token: 'tok' });
    await post('/v1/tenants', {});
    expect(headersOf(fetch.mock.calls.at(-1)?.[1])['X-CSRF-Token']).toBe('tok');
  });

  it('is null when signed out, and takes a new session on sign-in', async () => {
    mockFetch(() => json(401, { code: 'unauthorized' }));
    const { result } = renderHook(() => useSession<{ csrf_token: string }>('/v1/t/acme/session'), {});
    await settle();
    expect(result.current.session).toBeNull();
    act(() => result.current.signedIn({ csrf_token: 'new' }));
    expect(result.current.session).toEqual({ csrf_token: 'new' });
  });

  it('signs out with a DELETE and forgets the token, even if the server is gone', async () => {
    let down = false;
    const fetch = mockFetch(() => (down ? Promise.reject(new TypeError('offline')) : json(200, { csrf_token: 'tok' })));
    const { result } = renderHook(() => useSession<{ csrf_token: string }>('/v1/session'), {});
    await settle();
    down = true;
    await act(() => result.current.signOut());
    expect(fetch.mock.calls.at(-1)?.[1]).toMatchObject({ method: 'DELETE' });
    expect(result.current.session).toBeNull();
    down = false;
    await post('/v1/x', {});
    expect(headersOf(fetch.mock.calls.at(-1)?.[1])['X-CSRF-Token']).toBeUndefined();
  });
});

describe('useSession when a request answers 401', () => {
  it('ends the session and says it expired', async () => {
    mockFetch((url) => (url === '/v1/session' ? json(200, { csrf_token: 'c1' }) : json(401, { code: 'unauthorized' })));
    const { result } = renderHook(() => useSession<{ csrf_token: string }>('/v1/session'), {});
    await settle();
    expect(result.current.session).toEqual({ csrf_token: 'c1' });
    await act(async () => {
      await post('/v1/things', {}).catch(() => {});
    });
    expect(result.current.session).toBeNull();
    expect(result.current.expired).toBe(true);
  });
});
