// The tenant app's people and settings in Chromium (issue 12, items 8, 12 and 13): a
// suspended tenant's users meet a "suspended" page, admins run the team (invites with
// Copy, roles, removal, revocation, password reset links), the accept and reset pages
// judge their link before the form, and the settings screen changes the currency and
// time zone. Every case makes its own tenant, so this file runs alone or after others;
// each runs once per language (playwright.config.ts) and reads the screen through the
// app's catalogues.
import { expect, test, type Page } from '@playwright/test';
import { langOf, translator, type Lang, type Tr } from './i18n';
import { admin, API, httpUser, shot } from './stack';

let lang: Lang = 'en';
let tr: Tr = translator('en');

// eslint-disable-next-line no-empty-pattern -- Playwright passes fixtures first; none are needed
test.beforeAll(({}, info) => {
  lang = langOf(info);
  tr = translator(lang);
});

/// A fresh tenant named `display`, with a slug unique to this language and run.
async function newTenant(prefix: string, display: string) {
  const slug = `${prefix}${lang === 'en' ? 'en' : 'zh'}${Date.now().toString(36)}`;
  const r = await admin('POST', '/v1/tenants', { slug, display_name: display });
  expect(r.status, `${slug}: ${JSON.stringify(r.body)}`).toBe(201);
  return slug;
}

async function signIn(page: Page, slug: string, email: string) {
  await page.goto(`${API}/app/t/${slug}/customers`);
  await page.getByLabel(tr('signIn.email')).fill(email);
  await page.getByLabel(tr('signIn.password')).fill('a long password');
  await page.getByRole('button', { name: tr('signIn.submit') }).click();
  await expect(page.getByRole('heading', { name: tr('titles.customers') })).toBeVisible();
}

test('item 12: a suspended tenant shows its users a suspended page, not a sign-in form, until it is resumed', async ({ page, browser }) => {
  const slug = await newTenant('susp', 'Suspend Co');
  await httpUser(slug, `sue@${slug}.test`, 'admin');
  await signIn(page, slug, `sue@${slug}.test`);
  await page.getByRole('link', { name: tr('nav.settings') }).click();
  await expect(page.getByRole('heading', { name: tr('titles.settings') })).toBeVisible();

  const reason = 'Unpaid invoice 4711';
  expect((await admin('POST', `/v1/tenants/${slug}/suspend`, { reason })).status).toBe(200);
  // A signed-in user's next call answers 423, a form's as much as a list's (item 12
  // review 5): the page replaces the screens.
  await page.getByRole('button', { name: tr('settings.save') }).click();
  const title = page.getByRole('heading', { name: tr('suspended.title', { name: 'Suspend Co' }) });
  await expect(title).toBeVisible();
  await expect(page.getByText(reason), 'the operator’s reason stays with the operator').toHaveCount(0);

  // Someone arriving signed out meets the same page, and no sign-in form.
  const fresh = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN' });
  const other = await fresh.newPage();
  await other.goto(`${API}/app/t/${slug}`);
  await expect(other.getByRole('heading', { name: tr('suspended.title', { name: 'Suspend Co' }) })).toBeVisible();
  await expect(other.getByRole('alert')).toHaveText(tr('suspended.explain'));
  await expect(other.getByLabel(tr('signIn.password'))).toHaveCount(0);
  await shot(other, lang, 'app-suspended');

  // Resumed: "Check again" leads to the sign-in form, and signing in works.
  expect((await admin('POST', `/v1/tenants/${slug}/resume`)).status).toBe(200);
  await other.getByRole('button', { name: tr('suspended.check') }).click();
  await other.getByLabel(tr('signIn.email')).fill(`sue@${slug}.test`);
  await other.getByLabel(tr('signIn.password')).fill('a long password');
  await other.getByRole('button', { name: tr('signIn.submit') }).click();
  await expect(other.getByRole('heading', { name: tr('titles.customers') })).toBeVisible();
  await fresh.close();
});

test('item 13: admins invite (member by default, Copy), are refused a re-invite, change roles, remove people, keep the last admin, revoke and resend invites', async ({ page, context, browser }) => {
  const slug = await newTenant('team', 'Team Co');
  const [ann, bob] = [`ann@${slug}.test`, `bob@${slug}.test`];
  await httpUser(slug, ann, 'admin');
  await httpUser(slug, bob, 'member');
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: API });
  await signIn(page, slug, ann);
  await page.getByRole('link', { name: tr('nav.team') }).click();
  await expect(page.getByRole('heading', { name: tr('titles.team') })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: tr('list.rangeOf', { from: 1, to: 2, total: 2 }) }), 'paged with a count').toBeVisible();

  // An invite is for a member unless asked otherwise; its link has a Copy button.
  const invite = page.getByRole('form', { name: tr('team.invite') });
  await expect(invite.getByLabel(tr('invite.role'))).toHaveValue('member');
  await invite.getByLabel(tr('invite.email')).fill(`cy@${slug}.test`);
  await invite.getByRole('button', { name: tr('invite.submit') }).click();
  const link = invite.getByLabel(tr('invite.link'));
  await expect(link).toHaveValue(new RegExp(`/app/t/${slug}/accept#token=`));
  const cyLink = await link.inputValue();
  await invite.getByRole('button', { name: tr('invite.copy') }).click();
  await expect(invite.getByRole('button', { name: tr('invite.copied') })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(cyLink);
  const cy = page.locator(`tr[data-user="cy@${slug}.test"]`);
  await expect(cy).toContainText(tr('roles.member'));
  await expect(cy).toContainText(tr('team.status.invited'));

  // Re-inviting someone who has an account is refused, in so many words.
  await invite.getByLabel(tr('invite.email')).fill(bob);
  await invite.getByRole('button', { name: tr('invite.submit') }).click();
  await expect(invite.getByRole('alert')).toHaveText(tr('invite.exists', { email: bob }));

  // Roles change from the list; the last admin can't demote herself.
  const bobRow = page.locator(`tr[data-user="${bob}"]`);
  await bobRow.getByRole('combobox').selectOption('admin');
  await expect(bobRow.locator('td').nth(1)).toHaveText(tr('roles.admin'));
  await bobRow.getByRole('combobox').selectOption('member');
  await expect(bobRow.locator('td').nth(1)).toHaveText(tr('roles.member'));
  const annRow = page.locator(`tr[data-user="${ann}"]`);
  await annRow.getByRole('combobox').selectOption('member');
  await expect(page.getByRole('alert').filter({ hasText: tr('errors.last_admin') })).toBeVisible();
  await expect(annRow.getByRole('combobox')).toHaveValue('admin');

  // Removing asks first (the question takes focus; Cancel gives it back), then the
  // person is gone. Row buttons say whose they are.
  const removeBob = page.getByRole('button', { name: tr('team.removeFor', { name: 'bob' }), exact: true });
  await removeBob.click();
  const ask = page.getByRole('group', { name: tr('team.removeTitle', { name: 'bob' }) });
  await expect(ask).toBeFocused();
  await ask.getByRole('button', { name: tr('common.cancel') }).click();
  await expect(removeBob).toBeFocused();
  await removeBob.click();
  await expect(ask).toContainText(tr('team.removeExplain', { email: bob }));
  await ask.getByRole('button', { name: tr('team.removeConfirm') }).click();
  await expect(bobRow).toHaveCount(0);

  // "Send a new link instead" keeps a pending invite's role, whatever the select says.
  await invite.getByLabel(tr('invite.email')).fill(`fay@${slug}.test`);
  await invite.getByLabel(tr('invite.role')).selectOption('admin');
  await invite.getByRole('button', { name: tr('invite.submit') }).click();
  const fay = page.locator(`tr[data-user="fay@${slug}.test"]`);
  await expect(fay).toContainText(tr('roles.admin'));
  await invite.getByLabel(tr('invite.email')).fill(`fay@${slug}.test`);
  await invite.getByLabel(tr('invite.role')).selectOption('member');
  await invite.getByRole('button', { name: tr('invite.submit') }).click();
  await invite.getByRole('button', { name: tr('invite.resend') }).click();
  await expect(invite.getByLabel(tr('invite.link'))).toHaveValue(/accept#token=/);
  await expect(fay.locator('td').nth(1)).toHaveText(tr('roles.admin'));

  // A revoked invite's link is used up: its page says so and shows no form.
  await cy.getByRole('button', { name: tr('team.revoke') }).click();
  await expect(cy).toHaveCount(0);
  const guest = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN' });
  const visitor = await guest.newPage();
  await visitor.goto(cyLink);
  await expect(visitor.getByRole('heading', { name: tr('accept.invalidTitle') })).toBeVisible();
  await expect(visitor.getByRole('alert')).toHaveText(tr('accept.invalid'));
  await expect(visitor.getByLabel(tr('accept.password'))).toHaveCount(0);
  await shot(visitor, lang, 'app-accept-used');

  // Resending makes a new link (the old one stops); the accept page names the
  // workspace and the invited address before its form.
  await invite.getByLabel(tr('invite.email')).fill(`dee@${slug}.test`);
  await invite.getByRole('button', { name: tr('invite.submit') }).click();
  await expect(link).toHaveValue(/accept#token=/);
  const first = await link.inputValue();
  await page.locator(`tr[data-user="dee@${slug}.test"]`).getByRole('button', { name: tr('team.resend') }).click();
  const resent = page.getByRole('status').filter({ hasText: tr('team.resentHint', { email: `dee@${slug}.test` }) });
  await expect(resent).toBeVisible();
  const second = await resent.getByLabel(tr('invite.link')).inputValue();
  expect(second).not.toBe(first);
  await visitor.goto(second);
  await expect(visitor.getByRole('heading', { name: tr('accept.title', { name: 'Team Co' }) })).toBeVisible();
  await expect(visitor.getByText(tr('accept.invitedAs', { email: `dee@${slug}.test` }))).toBeVisible();
  await expect(visitor.getByLabel(tr('accept.password'))).toBeVisible();
  await shot(visitor, lang, 'app-accept');
  // Another link opened in the same tab changes only the fragment; the page follows, and
  // shows nothing of the other invite while it loads (item 12 review 4).
  let release = () => {};
  const held = new Promise<void>((r) => (release = r));
  await visitor.route('**/invites/preview**', async (r) => {
    await held;
    await r.continue();
  });
  await visitor.goto(first);
  await expect(visitor.getByText(tr('accept.invitedAs', { email: `dee@${slug}.test` }))).toHaveCount(0);
  release();
  await expect(visitor.getByRole('alert')).toHaveText(tr('accept.invalid'));
  // Joining: the spent link is not read again, which the server would count as a failed
  // sign-in from this address (item 12 review 3).
  await visitor.goto(second);
  await expect(visitor.getByLabel(tr('accept.password'))).toBeVisible();
  const previews: string[] = [];
  visitor.on('request', (r) => void (r.url().includes('/invites/preview') && previews.push(r.url())));
  await visitor.getByLabel(tr('accept.password')).fill('a long password');
  await visitor.getByRole('button', { name: tr('accept.submit') }).click();
  await expect(visitor.getByRole('heading', { name: tr('titles.customers') })).toBeVisible();
  expect(previews, 'no preview read after joining').toEqual([]);
  await shot(page, lang, 'app-team-admin');
  await guest.close();
});

test('item 13: an admin issues a password reset link (Copy); it sets a new password and signs in, once', async ({ page, browser }) => {
  const slug = await newTenant('reset', 'Reset Co');
  const [ann, eve] = [`ann@${slug}.test`, `eve@${slug}.test`];
  await httpUser(slug, ann, 'admin');
  await httpUser(slug, eve, 'member');
  await signIn(page, slug, ann);
  await page.goto(`${API}/app/t/${slug}/team`);
  await page.locator(`tr[data-user="${eve}"]`).getByRole('button', { name: tr('team.resetLink') }).click();
  const made = page.getByRole('status').filter({ hasText: tr('team.resetHint', { email: eve }) });
  const link = made.getByLabel(tr('team.resetLinkLabel'));
  await expect(link).toHaveValue(new RegExp(`/app/t/${slug}/reset#token=`));
  // Copy says when it failed, and leaves the link selected for copying by hand.
  await page.evaluate(() => {
    const w = window as unknown as { realCopy: unknown };
    w.realCopy = [navigator.clipboard.writeText, document.execCommand];
    navigator.clipboard.writeText = () => Promise.reject(new Error('denied'));
    document.execCommand = () => false;
  });
  await made.getByRole('button', { name: tr('invite.copy') }).click();
  await expect(made.getByText(tr('invite.copyFailed'))).toBeVisible();
  await expect(link).toBeFocused();
  await page.evaluate(() => {
    const [write, exec] = (window as unknown as { realCopy: [Clipboard['writeText'], Document['execCommand']] }).realCopy;
    navigator.clipboard.writeText = write;
    document.execCommand = exec;
  });
  await made.getByRole('button', { name: tr('invite.copy') }).click();
  await expect(made.getByRole('button', { name: tr('invite.copied') })).toBeVisible();
  const reset = await link.inputValue();

  const ctx = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN' });
  const eves = await ctx.newPage();
  await eves.goto(reset);
  await expect(eves.getByRole('heading', { name: tr('titles.reset') })).toBeVisible();
  const password = eves.getByLabel(tr('reset.password'));
  await password.fill('short');
  await eves.getByRole('button', { name: tr('reset.submit') }).click();
  await expect(password).toHaveAccessibleDescription(tr('fieldErrors.length', { min: 10, max: 128 }));
  await shot(eves, lang, 'app-reset');
  await password.fill('a new long password');
  await eves.getByRole('button', { name: tr('reset.submit') }).click();
  await expect(eves.getByRole('heading', { name: tr('titles.customers') }), 'signed in').toBeVisible();
  await expect(eves.getByText(tr('app.who', { name: 'eve', role: tr('roles.member') }))).toBeVisible();

  // The link is spent: sending it again is refused, and the form goes.
  const again = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN' });
  const used = await again.newPage();
  await used.goto(reset);
  await used.getByLabel(tr('reset.password')).fill('another long password');
  await used.getByRole('button', { name: tr('reset.submit') }).click();
  await expect(used.getByRole('alert')).toHaveText(tr('reset.invalid'));
  await expect(used.getByLabel(tr('reset.password'))).toHaveCount(0);
  await ctx.close();
  await again.close();
});

test('settings: an admin changes the currency (amounts follow) and is refused a bad time zone; item 8: the analytics opt-out says what it means', async ({ page }) => {
  const slug = await newTenant('setg', 'Settings Co');
  const ann = await httpUser(slug, `ann@${slug}.test`, 'admin');
  await signIn(page, slug, `ann@${slug}.test`);

  // Where the opt-out is offered, it says what is measured and what opting out does.
  const about = page.getByRole('button', { name: tr('app.usageAnalyticsAbout') });
  await expect(page.getByRole('checkbox', { name: tr('app.usageAnalytics') })).toHaveAccessibleDescription(tr('app.usageAnalyticsHint', { name: 'Settings Co' }));
  await about.click();
  await expect(about).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByRole('note')).toHaveText(tr('app.usageAnalyticsHint', { name: 'Settings Co' }));
  await shot(page, lang, 'app-tracking-explained');
  await about.click();

  await page.getByRole('link', { name: tr('nav.settings') }).click();
  await expect(page.getByRole('heading', { name: tr('titles.settings') })).toBeVisible();
  await page.getByLabel(tr('settings.currency')).selectOption('CNY');
  await page.getByRole('button', { name: tr('settings.save') }).click();
  await expect(page.getByRole('status').filter({ hasText: tr('settings.saved') })).toBeVisible();

  const zone = page.getByLabel(tr('settings.timezone'));
  await zone.fill('Mars/Olympus');
  await page.getByRole('button', { name: tr('settings.save') }).click();
  await expect(zone).toHaveAttribute('aria-invalid', 'true');
  await expect(zone).toHaveAccessibleDescription(tr('fieldErrors.timezone'));
  await shot(page, lang, 'app-settings');
  await zone.fill('Asia/Shanghai');
  await page.getByRole('button', { name: tr('settings.save') }).click();
  await expect(page.getByRole('status').filter({ hasText: tr('settings.saved') })).toBeVisible();

  // Another admin changes the zone meanwhile: a save from the older form is refused, not
  // written over theirs, and the form shows theirs (item 12 review 1).
  const read = await ann('GET', '/settings');
  expect((await ann('PATCH', '/settings', { timezone: 'Europe/Berlin' }, { 'If-Match': `"${(read.body as { version?: number } | null)?.version}"` })).status).toBe(200);
  await page.getByLabel(tr('settings.currency')).selectOption('EUR');
  await page.getByRole('button', { name: tr('settings.save') }).click();
  await expect(page.getByRole('alert').filter({ hasText: tr('crm.stale') })).toBeVisible();
  await expect(zone).toHaveValue('Europe/Berlin');
  await expect(page.getByLabel(tr('settings.currency'))).toHaveValue('CNY');
  expect((await ann('GET', '/settings')).body).toMatchObject({ currency: 'CNY', timezone: 'Europe/Berlin' });

  // An order made without a currency is in the tenant's, and shown in it.
  expect((await ann('POST', '/orders', { item: 'Tea', amount_cents: 1250 })).status).toBe(201);
  await page.getByRole('link', { name: tr('nav.orders') }).click();
  await expect(page.locator('tr', { hasText: 'Tea' })).toContainText('¥');
});
