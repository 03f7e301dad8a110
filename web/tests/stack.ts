// The stack under test, as scripts/web-test started it, and ways to set up data over
// HTTP (no browser) when a case only needs it to exist.
import { expect, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

const env = (k: string) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (run scripts/web-test)`);
  return v;
};
export const CONSOLE = env('CONSOLE');
export const API = env('API');
/// Where scripts/web-test wrote each language's cluster URLs, for `file:` references.
export const CLUSTER_REFS = env('CLUSTER_REFS');
const ADMIN = env('ADMIN_TOKEN');
export const OP = { email: env('OPERATOR_EMAIL'), password: env('OPERATOR_PASSWORD') };

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/// The fields of API answers that the cases read.
interface Answer {
  status: number;
  body: { id?: string; state?: string; invite_token?: string; secret?: string; total?: number; items?: { id: string; name?: string }[]; next_cursor?: string | null } | null;
}

async function call(url: string, method: string, headers: Record<string, string>, body?: unknown): Promise<Answer> {
  const res = await fetch(url, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/// The control plane's admin API, with the admin token.
export const admin = (method: string, path: string, body?: unknown) => call(`${CONSOLE}${path}`, method, { Authorization: `Bearer ${ADMIN}` }, body);

/// A tenant user invited by the admin API and signed in by accepting: cookie + CSRF.
export async function httpUser(slug: string, email: string, role: 'admin' | 'member') {
  const inv = await admin('POST', `/v1/tenants/${slug}/users`, { email, role });
  expect(inv.status, `invite ${email}: ${JSON.stringify(inv.body)}`).toBe(201);
  const res = await fetch(`${API}/v1/t/${slug}/invites/accept`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: inv.body?.invite_token, password: 'a long password' }),
  });
  expect(res.ok, `accept: ${res.status}`).toBe(true);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0];
  const { csrf_token } = (await res.json()) as { csrf_token: string };
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => call(`${API}/v1/t/${slug}${path}`, method, { Cookie: cookie, 'X-CSRF-Token': csrf_token, ...headers }, body);
}

const SHOTS = fileURLToPath(new URL('../test-results/screens/', import.meta.url));

/// Keys the page asked its catalogues for that no catalogue has (see src/i18n/index.ts).
export async function expectNoMissingKeys(page: Page) {
  const missing = await page.evaluate(() => (window as unknown as { __atriumMissingKeys?: string[] }).__atriumMissingKeys ?? []);
  expect(missing, 'translation keys missing from the catalogues').toEqual([]);
}

/// Fails when the page is wider than the window (it would scroll sideways).
export async function expectNoOverflow(page: Page, what: string) {
  const { scroll, client, culprits } = await page.evaluate(() => {
    const client = document.documentElement.clientWidth;
    // The outermost elements that stick out, to say what to fix.
    const culprits = [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > client + 1 && !(e.parentElement && e.parentElement.getBoundingClientRect().right > client + 1))
      .slice(0, 5)
      .map((e) => `${e.tagName.toLowerCase()}.${[...e.classList].join('.')} (${Math.round(e.getBoundingClientRect().right)} px)`);
    return { scroll: document.documentElement.scrollWidth, client, culprits };
  });
  expect(scroll, `${what} scrolls sideways at ${client} px: ${culprits.join(', ')}`).toBeLessThanOrEqual(client);
}

/// A screen as people see it: screenshots at desktop and phone width (web/test-results/
/// screens/<language>-<name>-{desktop,phone}.png), and checks that it neither scrolls
/// sideways at either width nor asked for a translation that doesn't exist.
export async function shot(page: Page, lang: string, name: string) {
  await expectNoMissingKeys(page);
  const size = page.viewportSize() ?? DESKTOP;
  // Charts and wrapped rows settle after a resize (a chart measures its box on the next
  // frame): an overflow must outlast that to count, and a real one always does.
  const settled = () => expect(() => expectNoOverflow(page, name)).toPass({ timeout: 2000 });
  await page.setViewportSize(DESKTOP);
  await settled();
  await page.screenshot({ path: `${SHOTS}${lang}-${name}-desktop.png`, fullPage: true });
  await page.setViewportSize(PHONE);
  await settled();
  await page.screenshot({ path: `${SHOTS}${lang}-${name}-phone.png`, fullPage: true });
  await page.setViewportSize(size);
}

/// A RegExp matching strings that start with `s`.
export const startingWith = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
