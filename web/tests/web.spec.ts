// The web app in Chromium against a real stack (control plane serving /console, api
// serving /app, collector, PostgreSQL, ClickHouse), started by scripts/web-test. The
// cases build on each other (the first creates the tenant the others use), so they run
// in order and a failure skips the rest.
import { expect, test, type BrowserContext } from '@playwright/test';
import { admin, API, CONSOLE, httpUser, OP, shot, startingWith } from './stack';

test.describe.configure({ mode: 'serial' });

// Handed from case to case: the invite link the operator made, and the browser (its
// cookie) of the user who accepted it.
let invite = '';
let ann: BrowserContext;

test.afterAll(async () => {
  await ann?.close();
});

test('operator signs in, creates a tenant and sees it active', async ({ page }) => {
  await page.goto(`${CONSOLE}/console`);
  // Keyboard only: the email field has focus; Tab to the password; Enter submits.
  await expect(page.getByLabel('Email')).toBeFocused();
  await page.keyboard.type(OP.email);
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the password');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong email or password.' })).toBeVisible();
  await shot(page, 'console-sign-in-error');
  await page.getByLabel('Password').fill(OP.password);
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByRole('heading', { name: 'Tenants' })).toBeVisible();

  // A bad slug is refused with the rule, tied to the field.
  const slug = page.getByLabel('Slug');
  await slug.fill('Bad Slug');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await expect(slug).toHaveAttribute('aria-invalid', 'true', { timeout: 10_000 });
  await expect(slug).toHaveAccessibleDescription(/slug/i);

  await slug.fill('webacme');
  await page.getByLabel('Display name').fill('Web Acme');
  await page.getByLabel('Plan').selectOption('pro');
  await page.getByRole('button', { name: 'Create tenant' }).click();
  const row = page.locator('tr[data-tenant="webacme"]');
  await expect(row.locator('.badge.active')).toBeVisible({ timeout: 20_000 });
  await expect(row, 'migration status shown').toContainText('up to date');
  await shot(page, 'console-tenants');

  // A live export, downloadable at once; the tenant stays active.
  await row.getByRole('button', { name: 'Export now' }).click();
  const download = row.getByRole('link', { name: 'Download export' });
  await expect(download).toBeVisible({ timeout: 20_000 });
  const exported = await page.evaluate(async (h) => (await fetch(h ?? '')).status, await download.getAttribute('href'));
  expect(exported, 'live export download').toBe(200);
  await expect(row.locator('.badge.active')).toBeVisible();

  // Invite the tenant's first admin; the link is what the next case opens.
  await row.getByRole('button', { name: 'Invite user' }).click();
  await page.getByLabel('Email', { exact: true }).last().fill('ann@webacme.test');
  await page.getByRole('button', { name: 'Create invite link' }).click();
  const link = page.getByLabel('Invite link');
  await expect(link).toHaveValue(startingWith(`${API}/app/t/webacme/accept#token=`));
  invite = await link.inputValue();

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
  await page.getByLabel('Action').selectOption('tenant.create');
  await expect(page.getByRole('cell', { name: 'webacme' }).first()).toBeVisible();
  await expect(page.locator('tbody'), 'the audit log names the operator').toContainText(`operator:${OP.email}`);
  await shot(page, 'console-audit');
});

test('the invited user works the pipeline and sees it in the dashboard', async ({ browser }) => {
  ann = await browser.newContext();
  const page = await ann.newPage();
  await page.goto(invite);
  await expect(page.getByRole('heading', { name: 'Join webacme' })).toBeVisible();
  await page.getByLabel('Your name').fill('Ann');
  const password = page.getByLabel(/Choose a password/);
  await password.fill('short');
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(password).toHaveAttribute('aria-invalid', 'true', { timeout: 10_000 });
  await shot(page, 'app-join-error');
  await password.fill('a long password');
  await page.getByRole('button', { name: 'Join' }).click();
  await expect(page.getByRole('heading', { name: 'Customers' })).toBeVisible();

  await page.getByLabel('Name', { exact: true }).fill('Rocket Co');
  await page.getByLabel('Domain').fill('rocket.example');
  await page.getByRole('button', { name: 'Add customer' }).click();
  await expect(page.getByRole('link', { name: 'Rocket Co' })).toBeVisible();
  await shot(page, 'app-customers');
  await page.getByRole('link', { name: 'Rocket Co' }).click();
  await expect(page.getByRole('heading', { name: 'Rocket Co' })).toBeVisible();
  await page.getByLabel('Contact name').fill('Rita Rocket');
  await page.getByLabel('Contact email').fill('rita@rocket.example');
  await page.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.getByText('rita@rocket.example')).toBeVisible();
  await shot(page, 'app-customer-detail');

  await page.getByRole('link', { name: 'Deals' }).click();
  await page.getByLabel('Title').fill('Big rocket');
  await page.getByLabel('Amount (EUR)').fill('12500');
  await page.getByRole('button', { name: 'Add deal' }).click();
  const inStage = (stage: string, deal: string) => page.locator(`[data-stage="${stage}"] article[data-deal="${deal}"]`);
  await expect(inStage('lead', 'Big rocket')).toBeVisible();
  // A drag that starts while the board is still re-rendering after the create can be
  // lost by the browser; dropping on the stage a deal is already in changes nothing, so
  // dragging again is safe.
  await expect(async () => {
    await page.locator('article[data-deal="Big rocket"]').dragTo(page.locator('section[data-stage="won"]'));
    await expect(inStage('won', 'Big rocket')).toBeVisible({ timeout: 2000 });
  }).toPass({ timeout: 15000 });
  // And it stuck: the server says won.
  await page.reload();
  await expect(inStage('won', 'Big rocket')).toBeVisible();
  await shot(page, 'app-deals');

  await page.getByRole('link', { name: 'Orders' }).click();
  await page.getByLabel('Item').fill('Launch insurance');
  await page.getByLabel('Amount (EUR)').fill('99.50');
  await page.getByRole('button', { name: 'Record order' }).click();
  await expect(page.getByRole('rowheader', { name: 'Launch insurance' })).toBeVisible();
  await shot(page, 'app-orders');

  // A second user who opens a lead and never wins it: the funnel is 2 → 1.
  const bob = await httpUser('webacme', 'bob@webacme.test', 'member');
  const customers = await bob('GET', '/customers');
  const deal = await bob('POST', '/deals', { title: 'Small rocket', amount_cents: 1000, currency: 'EUR', customer_id: customers.body?.items?.[0].id });
  expect(deal.status, "bob's deal").toBe(201);

  // Events reach the dashboard through the collector a moment later: each check asks
  // again (re-picking the option reloads the chart) until it holds.
  const again = { timeout: 30_000, intervals: [1000] };
  await page.getByRole('link', { name: 'Dashboard' }).click();
  await expect(page.getByRole('heading', { name: 'Dashboard' })).toBeVisible();
  const trend = page.getByRole('region', { name: /^Trend:/ });
  for (const name of ['pageview', 'click', 'deal_stage_changed']) {
    await expect(async () => {
      await page.getByLabel('Event', { exact: true }).selectOption(name);
      // Today's events are on the last line (the incomplete day, dashed); a line of zeros is flat, hence hidden.
      await expect(trend.locator('.recharts-line').last()).toBeVisible({ timeout: 3000 });
    }, `${name} events in the trend`).toPass(again);
  }
  const range = page.getByLabel('Range', { exact: true });
  await expect(async () => {
    await range.selectOption('7');
    await range.selectOption('30');
    const lines = (await page.getByTestId('top-pages').innerText({ timeout: 3000 })).split('\n');
    expect(lines.some((l) => l.startsWith('/deals'))).toBe(true);
  }, 'top pages').toPass(again);
  // The default funnel (visit → customer → deal → won) answers; Ann may never have
  // opened the app's root page, so nobody entering it is an answer too.
  await page.getByRole('button', { name: 'Show funnel' }).click();
  await expect(page.getByRole('region', { name: 'Funnel' })).toContainText(/visit \/|Nobody reached/);
  await page.getByLabel('Preset').selectOption('Lead → Won');
  const funnel = page.getByTestId('funnel-result');
  await expect(async () => {
    await page.getByRole('button', { name: 'Show funnel' }).click();
    await expect(funnel).toHaveText(/lead\)\s+2\s+100%/, { useInnerText: true, timeout: 3000 });
    await expect(funnel).toHaveText(/won\)\s+1\s+50%/, { useInnerText: true, timeout: 3000 });
  }, 'the funnel lead → won').toPass(again);
  await shot(page, 'app-dashboard');
  await page.close();
});

test('a tenant user cannot reach another tenant', async () => {
  const other = await admin('POST', '/v1/tenants', { slug: 'otherco' });
  expect([200, 201], `otherco: ${other.status}`).toContain(other.status);
  const olive = await httpUser('otherco', 'olive@otherco.test', 'admin');
  const secret = await olive('POST', '/customers', { name: 'Otherco secret customer' });
  expect(secret.status, 'otherco customer').toBe(201);

  const page = await ann.newPage();
  // Editing the URL to the other tenant: its app asks for a sign-in, shows nothing.
  await page.goto(`${API}/app/t/otherco/customers`);
  await expect(page.getByRole('heading', { name: 'Sign in to otherco' })).toBeVisible();
  expect(await page.content(), 'no otherco data on the page').not.toContain('Otherco secret customer');
  await shot(page, 'app-other-tenant');
  // The API answers 401 from this browser too: the cookie is scoped to /v1/t/webacme/.
  const status = await page.evaluate(async () => (await fetch('/v1/t/otherco/customers')).status);
  expect(status, "otherco's API from webacme's browser").toBe(401);
  // And otherco's customer id under webacme's path does not exist.
  await page.goto(`${API}/app/t/webacme/customers/${secret.body?.id}`);
  await expect(page.getByRole('alert').filter({ hasText: 'does not exist' })).toBeVisible();
  await page.close();
});

test('keyboard users can skip to content and move deals', async () => {
  const page = await ann.newPage();
  await page.goto(`${API}/app/t/webacme/deals`);
  await expect(page.locator('[data-stage="won"] article[data-deal="Big rocket"]')).toBeVisible();
  await page.keyboard.press('Tab');
  await expect(page.getByRole('link', { name: 'Skip to content' }), 'the first Tab lands on "Skip to content"').toBeFocused();
  await page.keyboard.press('Enter');
  // The move menu on a card works from the keyboard.
  const menu = page.getByLabel('Move Small rocket to');
  await menu.focus();
  await menu.selectOption('qualified');
  await expect(page.locator('[data-stage="qualified"] article[data-deal="Small rocket"]')).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: 'Small rocket moved to qualified.' })).toBeVisible();
  await page.close();
});

test('a tenant admin invites a teammate', async () => {
  const page = await ann.newPage();
  await page.goto(`${API}/app/t/webacme/team`);
  await expect(page.getByRole('heading', { name: 'Team' })).toBeVisible();
  const email = page.getByLabel('Email');
  await email.fill('not-an-email');
  await page.getByRole('button', { name: 'Create invite link' }).click();
  await expect(email).toHaveAttribute('aria-invalid', 'true', { timeout: 10_000 });
  await email.fill('cy@webacme.test');
  await page.getByRole('button', { name: 'Create invite link' }).click();
  await expect(page.getByLabel('Invite link')).toHaveValue(/\/app\/t\/webacme\/accept#token=/);
  await expect(page.getByRole('cell', { name: 'cy@webacme.test' })).toBeVisible();
  await expect(page.locator('tbody'), 'the invitee is listed as invited').toContainText('invited');
  await shot(page, 'app-team');
  await page.close();
});

test('operator deletes a tenant with typed confirmation', async ({ page }) => {
  const doomed = await admin('POST', '/v1/tenants', { slug: 'doomed' });
  expect(doomed.status, 'doomed').toBe(201);
  await page.goto(`${CONSOLE}/console`);
  await page.getByLabel('Email').fill(OP.email);
  await page.getByLabel('Password').fill(OP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const row = page.locator('tr[data-tenant="doomed"]');
  await row.getByRole('button', { name: 'Delete…' }).click();
  const confirm = page.getByLabel('Type doomed to confirm');
  await confirm.fill('doomd');
  await page.getByRole('button', { name: 'Delete doomed' }).click();
  await expect(confirm).toHaveAttribute('aria-invalid', 'true', { timeout: 10_000 });
  const still = await admin('GET', '/v1/tenants/doomed');
  expect(still.body?.state, 'a wrong confirmation deletes nothing').toBe('active');
  await confirm.fill('doomed');
  await page.getByRole('button', { name: 'Delete doomed' }).click();
  const download = row.getByRole('link', { name: 'Download export' });
  await expect(download).toBeVisible({ timeout: 20_000 });
  const href = await download.getAttribute('href');
  const status = await page.evaluate(async (h) => (await fetch(h ?? '')).status, href);
  expect(status, 'export download').toBe(200);
  await shot(page, 'console-deleted');
});

test('operator backs up and restores a tenant to a moment', async ({ page }) => {
  expect((await admin('POST', '/v1/tenants', { slug: 'rewind' })).status).toBe(201);
  const key = (await admin('POST', '/v1/tenants/rewind/keys', { name: 'web-test' })).body as { secret?: string } | null;
  const data = (method: string, path: string, body?: unknown) =>
    fetch(`${API}/v1/t/rewind${path}`, { method, headers: { Authorization: `Bearer ${key?.secret}`, 'Content-Type': 'application/json' }, body: body ? JSON.stringify(body) : undefined });
  const ids: string[] = [];
  for (const name of ['Keep A', 'Keep B', 'Lost C']) ids.push((await (await data('POST', '/customers', { name })).json()).id);

  await page.goto(`${CONSOLE}/console`);
  await page.getByLabel('Email').fill(OP.email);
  await page.getByLabel('Password').fill(OP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Backups' }).click();
  const rows = page.locator('tbody tr');
  await expect(rows.first(), 'scripts/web-test took a first backup').toBeVisible();
  const before = await rows.count();
  await page.getByRole('button', { name: 'Back up now' }).click();
  await expect(rows).toHaveCount(before + 1, { timeout: 60_000 });
  await expect(page.getByText(/newest backup finished/)).toBeVisible();
  await shot(page, 'console-backups');

  // The moment to go back to; afterwards one customer is deleted by mistake.
  await new Promise((r) => setTimeout(r, 1_200));
  const moment = new Date();
  await new Promise((r) => setTimeout(r, 1_200));
  expect((await data('DELETE', `/customers/${ids[2]}`)).status).toBe(204);
  const pad = (n: number) => String(n).padStart(2, '0');
  const local = `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}T${pad(moment.getHours())}:${pad(moment.getMinutes())}:${pad(moment.getSeconds())}`;

  await page.getByRole('link', { name: 'Tenants' }).click();
  const row = page.locator('tr[data-tenant="rewind"]');
  await row.getByRole('button', { name: 'Restore…' }).click();
  const form = page.getByRole('form', { name: 'Restore rewind to a moment' });
  await expect(page.getByRole('complementary', { name: 'Recent audit entries of rewind' })).toContainText('tenant.create');
  // A moment in the future is refused, tied to the field, and nothing is restored.
  await form.getByLabel('Moment (your local time)').fill('2999-01-01T00:00:00');
  await form.getByRole('button', { name: 'Restore as a copy' }).click();
  await expect(form.getByLabel('Moment (your local time)')).toHaveAttribute('aria-invalid', 'true', { timeout: 20_000 });
  await form.getByLabel('Moment (your local time)').fill(local);
  await form.getByLabel('New slug', { exact: true }).fill('rewind_then');
  await form.getByRole('button', { name: 'Restore as a copy' }).click();
  await expect(form.getByRole('status')).toContainText(/Restored rewind_then to .*3 customers/, { timeout: 90_000 });
  await shot(page, 'console-restore');
  await form.getByLabel(/replacing rewind/).check();
  await form.getByRole('button', { name: "Replace rewind's data" }).click();
  await expect(form.getByRole('status')).toContainText(/Restored rewind to .*3 customers/, { timeout: 90_000 });
  const back = (await (await data('GET', '/customers')).json()) as { items: { name: string }[] };
  expect(back.items.map((c) => c.name).sort(), 'the deleted customer is back').toEqual(['Keep A', 'Keep B', 'Lost C']);
  await expect(page.locator('tr[data-tenant="rewind_then"] .badge.active')).toBeVisible();
});

test('operator adds, disables and enables another operator', async ({ page, browser }) => {
  await page.goto(`${CONSOLE}/console`);
  await page.getByLabel('Email').fill(OP.email);
  await page.getByLabel('Password').fill(OP.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Operators' }).click();
  await expect(page.getByRole('heading', { name: 'Operators' })).toBeVisible();
  await expect(page.locator(`tr[data-operator="${OP.email}"]`), 'no one disables themselves').toContainText('you');

  await page.getByLabel('Email').fill('bo@atrium.local');
  await page.getByLabel('Password', { exact: true }).fill('bo has a long password');
  await page.getByRole('button', { name: 'Add or set password' }).click();
  const bo = page.locator('tr[data-operator="bo@atrium.local"]');
  await expect(bo).toContainText('enabled');

  // Bo signs in elsewhere; disabling ends that session.
  const bos = await browser.newContext();
  const boPage = await bos.newPage();
  await boPage.goto(`${CONSOLE}/console`);
  await boPage.getByLabel('Email').fill('bo@atrium.local');
  await boPage.getByLabel('Password').fill('bo has a long password');
  await boPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(boPage.getByRole('heading', { name: 'Tenants' })).toBeVisible();

  await bo.getByRole('button', { name: 'Disable' }).click();
  await expect(bo).toContainText('disabled');
  await shot(page, 'console-operators');
  await boPage.reload();
  await expect(boPage.getByRole('heading', { name: 'Sign in to the Atrium console' })).toBeVisible();
  await bos.close();

  await bo.getByRole('button', { name: 'Enable' }).click();
  await expect(bo).toContainText('enabled');
  await page.getByRole('link', { name: 'Audit log' }).click();
  await page.getByLabel('Action').selectOption('operator.disable');
  await expect(page.locator('tbody'), 'disabling is audited').toContainText(`operator:${OP.email}`);
});
