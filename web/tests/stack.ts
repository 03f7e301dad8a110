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
const ADMIN = env('ADMIN_TOKEN');
export const OP = { email: env('OPERATOR_EMAIL'), password: env('OPERATOR_PASSWORD') };

/// The fields of API answers that the cases read.
interface Answer {
  status: number;
  body: { id?: string; state?: string; invite_token?: string; items?: { id: string }[] } | null;
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
  return (method: string, path: string, body?: unknown) => call(`${API}/v1/t/${slug}${path}`, method, { Cookie: cookie, 'X-CSRF-Token': csrf_token }, body);
}

const SHOTS = fileURLToPath(new URL('../test-results/', import.meta.url));

/// A screenshot of a main screen, kept for people to look at (web/test-results/).
export async function shot(page: Page, name: string) {
  await page.screenshot({ path: `${SHOTS}${name}.png`, fullPage: true });
}

/// A RegExp matching strings that start with `s`.
export const startingWith = (s: string) => new RegExp(`^${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);
