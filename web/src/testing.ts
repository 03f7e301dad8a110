// Helpers for the unit tests (never imported by the app).
import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { vi } from 'vitest';

// React warns unless it knows updates are wrapped in act().
(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

/// A fetch stand-in that answers `reply(url, init)`; its calls are kept for assertions.
export function mockFetch(reply: (url: string, init: RequestInit) => Response | Promise<Response> = () => json(200, {})) {
  const fetch = vi.fn((url: string, init: RequestInit) => Promise.resolve(reply(url, init ?? {})));
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

export function json(status: number, body: unknown) {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/// The headers a mocked fetch was called with, by name.
export function headersOf(init: RequestInit | undefined): Record<string, string> {
  return (init?.headers ?? {}) as Record<string, string>;
}

/// Runs `hook` in a component mounted in the jsdom document; `result.current` is what
/// it returned on the last render. `update` re-renders with new props.
export function renderHook<P, R>(hook: (props: P) => R, props: P) {
  const result = { current: undefined as R };
  function Probe({ p }: { p: P }) {
    result.current = hook(p);
    return null;
  }
  const root = createRoot(document.createElement('div'));
  act(() => root.render(createElement(Probe, { p: props })));
  return {
    result,
    update: (p: P) => act(() => root.render(createElement(Probe, { p }))),
    unmount: () => act(() => root.unmount()),
  };
}

/// Lets pending promises (a mocked fetch's answer) settle inside act().
export const settle = () => act(async () => {});

/// A fetch answer the test hands out when it chooses.
export function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
