// Browser tests: Debian's Chromium driven by playwright-core, against a real stack that
// scripts/web-test starts (control plane serving /console, api serving /app, collector,
// PostgreSQL, ClickHouse). Each case prints ok/FAIL; the run ends with
// "N passed, N failed". Screenshots of every main screen go to web/test-results/.
import { chromium } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const env = (k) => {
  const v = process.env[k];
  if (!v) throw new Error(`${k} is not set (run scripts/web-test)`);
  return v;
};
const CONSOLE = env('CONSOLE');
const API = env('API');
const ADMIN = env('ADMIN_TOKEN');
const OP = { email: env('OPERATOR_EMAIL'), password: env('OPERATOR_PASSWORD') };
const SHOTS = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-results');
mkdirSync(SHOTS, { recursive: true });

const state = {};

function expect(cond, msg) {
  if (!cond) throw new Error(msg);
}

async function until(what, fn, ms = 30_000, every = 250) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last})`);
}

async function admin(method, path, body) {
  const res = await fetch(`${CONSOLE}${path}`, {
    method,
    headers: { Authorization: `Bearer ${ADMIN}`, 'Content-Type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/// A tenant user signed in over HTTP (no browser): cookie + CSRF, for setting up data.
async function httpUser(slug, email, role) {
  const inv = await admin('POST', `/v1/tenants/${slug}/users`, { email, role });
  expect(inv.status === 201, `invite ${email}: ${inv.status} ${JSON.stringify(inv.body)}`);
  const res = await fetch(`${API}/v1/t/${slug}/invites/accept`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: inv.body.invite_token, password: 'a long password' }),
  });
  expect(res.ok, `accept: ${res.status}`);
  const cookie = res.headers.get('set-cookie').split(';')[0];
  const { csrf_token } = await res.json();
  return async (method, path, body) => {
    const r = await fetch(`${API}/v1/t/${slug}${path}`, {
      method,
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf_token, 'Content-Type': 'application/json' },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: r.status, body: await r.json().catch(() => null) };
  };
}

async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

// --- cases ---------------------------------------------------------------------------

async function operator_signs_in_creates_a_tenant_and_sees_it_active(browser) {
  const page = await browser.newPage();
  await page.goto(`${CONSOLE}/console`);
  // Keyboard only: the email field has focus; Tab to the password; Enter submits.
  await page.getByLabel('Email').waitFor();
  await page.keyboard.type(OP.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  const alert = page.getByRole('alert').filter({ hasText: 'Wrong email or password.' });
  await alert.waitFor();
  await shot(page, 'console-sign-in-error');
  await page.getByLabel('Password').fill(OP.password);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Tenants' }).waitFor();

  // A bad slug is refused with the rule, tied to the field, and nothing is created.
  await page.getByLabel('Slug').fill('Bad Slug');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  const slugInput = page.getByLabel('Slug');
  await until('the slug error', async () => (await slugInput.getAttribute('aria-invalid')) === 'true', 10_000);
  const described = await slugInput.getAttribute('aria-describedby');
  const msg = await page.locator(`#${described}`).innerText();
  expect(/slug/i.test(msg), `slug error says why: ${msg}`);

  await slugInput.fill('webacme');
  await page.getByLabel('Display name').fill('Web Acme');
  await page.getByLabel('Plan').selectOption('pro');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  const row = page.locator('tr[data-tenant="webacme"]');
  await row.locator('.badge.active').waitFor({ timeout: 20_000 });
  expect((await row.innerText()).includes('up to date'), 'migration status shown');
  await shot(page, 'console-tenants');

  // Invite the tenant's first admin; the link is what the next case opens.
  await row.getByRole('button', { name: 'Invite user' }).click();
  await page.getByLabel('Email', { exact: true }).last().fill('ann@webacme.test');
  await page.getByRole('button', { name: 'Create invite link' }).click();
  const link = page.getByLabel('Invite link');
  await link.waitFor();
  state.invite = await link.inputValue();
  expect(state.invite.startsWith(`${API}/app/t/webacme/accept#token=`), `invite link ${state.invite}`);

  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await page.getByLabel('Action').selectOption('tenant.create');
  await page.getByRole('cell', { name: 'webacme' }).first().waitFor();
  expect((await page.locator('tbody').innerText()).includes('operator:ops@atrium.test'), 'the audit log names the operator');
  await shot(page, 'console-audit');
  await page.close();
  return `signed in by keyboard, webacme active, invite link issued, audit log shows operator:${OP.email}`;
}

async function invited_user_works_the_pipeline_and_sees_it_in_the_dashboard(browser) {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  await page.goto(state.invite);
  await page.getByRole('heading', { name: 'Join webacme' }).waitFor();
  await page.getByLabel('Your name').fill('Ann');
  await page.getByLabel(/Choose a password/).fill('short');
  await page.getByRole('button', { name: 'Join' }).click();
  const pw = page.getByLabel(/Choose a password/);
  await until('the password error', async () => (await pw.getAttribute('aria-invalid')) === 'true', 10_000);
  await shot(page, 'app-join-error');
  await pw.fill('a long password');
  await page.getByRole('button', { name: 'Join' }).click();
  await page.getByRole('heading', { name: 'Customers' }).waitFor();

  await page.getByLabel('Name', { exact: true }).fill('Rocket Co');
  await page.getByLabel('Domain').fill('rocket.example');
  await page.getByRole('button', { name: 'Add customer' }).click();
  await page.getByRole('link', { name: 'Rocket Co' }).waitFor();
  await shot(page, 'app-customers');
  await page.getByRole('link', { name: 'Rocket Co' }).click();
  await page.getByRole('heading', { name: 'Rocket Co' }).waitFor();
  await page.getByLabel('Contact name').fill('Rita Rocket');
  await page.getByLabel('Contact email').fill('rita@rocket.example');
  await page.getByRole('button', { name: 'Add contact' }).click();
  await page.getByText('rita@rocket.example').waitFor();
  await shot(page, 'app-customer-detail');

  await page.getByRole('link', { name: 'Deals' }).click();
  await page.getByLabel('Title').fill('Big rocket');
  await page.getByLabel('Amount (EUR)').fill('12500');
  await page.getByRole('button', { name: 'Add deal' }).click();
  const card = page.locator('article[data-deal="Big rocket"]');
  await page.locator('[data-stage="lead"] article[data-deal="Big rocket"]').waitFor();
  await card.dragTo(page.locator('section[data-stage="won"]'));
  await page.locator('[data-stage="won"] article[data-deal="Big rocket"]').waitFor();
  // And it stuck: the server says won.
  await page.reload();
  await page.locator('[data-stage="won"] article[data-deal="Big rocket"]').waitFor();
  await shot(page, 'app-deals');

  await page.getByRole('link', { name: 'Orders' }).click();
  await page.getByLabel('Item').fill('Launch insurance');
  await page.getByLabel('Amount (EUR)').fill('99.50');
  await page.getByRole('button', { name: 'Record order' }).click();
  await page.getByRole('rowheader', { name: 'Launch insurance' }).waitFor();
  await shot(page, 'app-orders');

  // A second user who opens a lead and never wins it: the funnel is 2 → 1.
  const bob = await httpUser('webacme', 'bob@webacme.test', 'member');
  const customers = await bob('GET', '/customers');
  const d = await bob('POST', '/deals', { title: 'Small rocket', amount_cents: 1000, currency: 'EUR', customer_id: customers.body.items[0].id });
  expect(d.status === 201, `bob's deal: ${d.status}`);

  await page.getByRole('link', { name: 'Dashboard' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const trend = page.getByRole('region', { name: /^Trend:/ });
  for (const name of ['pageview', 'click', 'deal_stage_changed']) {
    await until(`${name} events in the trend`, async () => {
      await page.getByLabel('Event', { exact: true }).selectOption(name);
      await trend.locator('.recharts-line').first().waitFor({ timeout: 3000 });
      return true;
    }, 30_000, 1000);
  }
  const pages = page.getByTestId('top-pages');
  await until('top pages', async () => {
    await page.getByLabel('Range', { exact: true }).selectOption('7');
    await page.getByLabel('Range', { exact: true }).selectOption('30');
    return (await pages.innerText({ timeout: 3000 })).split('\n').some((l) => l.startsWith('/deals'));
  }, 30_000, 1000);
  let funnel;
  await until('the funnel lead → won', async () => {
    await page.getByRole('button', { name: 'Show funnel' }).click();
    funnel = await page.getByTestId('funnel-result').innerText({ timeout: 3000 });
    return /won\)\s+1\s+50%/.test(funnel.replace(/\s+/g, ' ')) && /lead\)\s+2\s+100%/.test(funnel.replace(/\s+/g, ' '));
  }, 30_000, 1000);
  await shot(page, 'app-dashboard');
  state.ctx = ctx;
  return `customer with a contact, deal dragged to won, order; dashboard shows pageviews, clicks, the stage change and funnel lead→won 2→1 (50%)`;
}

async function a_tenant_user_cannot_reach_another_tenant(browser) {
  const other = await admin('POST', '/v1/tenants', { slug: 'otherco' });
  expect(other.status === 201 || other.status === 200, `otherco: ${other.status}`);
  const otherUser = await httpUser('otherco', 'olive@otherco.test', 'admin');
  const secret = await otherUser('POST', '/customers', { name: 'Otherco secret customer' });
  expect(secret.status === 201, `otherco customer: ${secret.status}`);

  const page = await state.ctx.newPage();
  // Editing the URL to the other tenant: its app asks for a sign-in, shows nothing.
  await page.goto(`${API}/app/t/otherco/customers`);
  await page.getByRole('heading', { name: 'Sign in to otherco' }).waitFor();
  expect(!(await page.content()).includes('Otherco secret customer'), 'no otherco data on the page');
  await shot(page, 'app-other-tenant');
  // The API answers 401 from this browser too: the cookie is scoped to /v1/t/webacme/.
  const status = await page.evaluate(async () => (await fetch('/v1/t/otherco/customers')).status);
  expect(status === 401, `otherco API from webacme's browser: ${status}`);
  // And otherco's customer id under webacme's path does not exist.
  await page.goto(`${API}/app/t/webacme/customers/${secret.body.id}`);
  await page.getByRole('alert').filter({ hasText: 'does not exist' }).waitFor();
  await page.close();
  return 'otherco asks for sign-in, its API answers 401, its ids are not found under webacme';
}

async function keyboard_users_can_skip_to_content_and_move_deals(browser) {
  const page = await state.ctx.newPage();
  await page.goto(`${API}/app/t/webacme/deals`);
  await page.locator('[data-stage="won"] article[data-deal="Big rocket"]').waitFor();
  await page.keyboard.press('Tab');
  const skip = page.getByRole('link', { name: 'Skip to content' });
  expect(await skip.evaluate((el) => el === document.activeElement), 'the first Tab lands on "Skip to content"');
  await page.keyboard.press('Enter');
  // The move menu on a card works from the keyboard: focus it, pick "lost".
  const menu = page.getByLabel('Move Small rocket to');
  await menu.focus();
  await menu.selectOption('qualified');
  await page.locator('[data-stage="qualified"] article[data-deal="Small rocket"]').waitFor();
  await page.getByRole('status').filter({ hasText: 'Small rocket moved to qualified.' }).waitFor();
  await page.close();
  return 'skip link first in tab order; a deal moved with the keyboard menu, and the move was announced';
}

async function a_tenant_admin_invites_a_teammate(browser) {
  const page = await state.ctx.newPage();
  await page.goto(`${API}/app/t/webacme/team`);
  await page.getByRole('heading', { name: 'Team' }).waitFor();
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Create invite link' }).click();
  const email = page.getByLabel('Email');
  await until('the email error', async () => (await email.getAttribute('aria-invalid')) === 'true', 10_000);
  await email.fill('cy@webacme.test');
  await page.getByRole('button', { name: 'Create invite link' }).click();
  const link = await page.getByLabel('Invite link').inputValue();
  expect(link.includes('/app/t/webacme/accept#token='), `team invite link ${link}`);
  await page.getByRole('cell', { name: 'cy@webacme.test' }).waitFor();
  expect((await page.locator('tbody').innerText()).includes('invited'), 'the invitee is listed as invited');
  await shot(page, 'app-team');
  await page.close();
  return 'a bad email is refused on the field; a teammate is invited and listed as invited';
}

async function operator_deletes_a_tenant_with_typed_confirmation(browser) {
  const doomed = await admin('POST', '/v1/tenants', { slug: 'doomed' });
  expect(doomed.status === 201, `doomed: ${doomed.status}`);
  const page = await browser.newPage();
  await page.goto(`${CONSOLE}/console`);
  await page.getByLabel('Email').fill(OP.email);
  await page.getByLabel('Password').fill(OP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const row = page.locator('tr[data-tenant="doomed"]');
  await row.getByRole('button', { name: 'Delete…' }).click();
  const confirm = page.getByLabel('Type doomed to confirm');
  await confirm.fill('doomd');
  await page.getByRole('button', { name: 'Delete doomed' }).click();
  await until('the confirmation error', async () => (await confirm.getAttribute('aria-invalid')) === 'true', 10_000);
  const still = await admin('GET', '/v1/tenants/doomed');
  expect(still.body.state === 'active', 'a wrong confirmation deletes nothing');
  await confirm.fill('doomed');
  await page.getByRole('button', { name: 'Delete doomed' }).click();
  const download = row.getByRole('link', { name: 'Download export' });
  await download.waitFor({ timeout: 20_000 });
  const status = await page.evaluate(async (href) => (await fetch(href)).status, await download.getAttribute('href'));
  expect(status === 200, `export download: ${status}`);
  await shot(page, 'console-deleted');
  await page.close();
  return 'a mistyped confirmation changes nothing; the typed slug deletes, and the export downloads (200)';
}

const CASES = [
  operator_signs_in_creates_a_tenant_and_sees_it_active,
  invited_user_works_the_pipeline_and_sees_it_in_the_dashboard,
  a_tenant_user_cannot_reach_another_tenant,
  keyboard_users_can_skip_to_content_and_move_deals,
  a_tenant_admin_invites_a_teammate,
  operator_deletes_a_tenant_with_typed_confirmation,
];

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
let passed = 0;
let failed = 0;
for (const c of CASES) {
  const t0 = Date.now();
  try {
    const detail = await c(browser);
    passed++;
    console.log(`ok   ${c.name} (${((Date.now() - t0) / 1000).toFixed(1)}s): ${detail}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${c.name} (${((Date.now() - t0) / 1000).toFixed(1)}s): ${e.stack ?? e}`);
    break; // later cases build on earlier ones
  }
}
await browser.close();
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
