// The analytics dashboard (issue 12, items 5–8) against a real stack: one fresh tenant
// per language, in Asia/Shanghai, whose product tracks six end users through an API key
// (six open the customer list, four add a customer, three open a deal, one wins it) while
// a team member signs in and watches. Events reach ClickHouse through the collector a
// moment later, so each first check asks again until it holds.
import { expect, test, type BrowserContext, type Locator, type Page } from '@playwright/test';
import { langOf, literally, pattern, translator, type Lang, type Tr } from './i18n';
import { admin, API, shot } from './stack';

test.describe.configure({ mode: 'serial' });

const TZ = 'Asia/Shanghai';
const again = { timeout: 30_000, intervals: [1000] };
let lang: Lang = 'en';
let tr: Tr = translator('en');
let slug = '';
let ctx: BrowserContext;
let page: Page;
/// Every analytics request the page made, from sign-in on: which zone and range it asked for.
const asked: { url: string; body: string | null }[] = [];

/// Six end users' visits, tracked server-side with a key (it names the actor). Event
/// ids ascend in the order written: the path view breaks ties within a second by them.
function endUserEvents(slug: string) {
  const run = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  let seq = 0;
  const events: object[] = [];
  const push = (actor: string, name: string, path: string, extra: object = {}) =>
    events.push({ event_id: `${run}-0000-4000-8000-${String(++seq).padStart(12, '0')}`, name, actor, session_id: `${actor}-visit`, path: `/app/t/${slug}${path}`, ...extra });
  for (let i = 1; i <= 6; i++) {
    const actor = `end-user-${i}`;
    push(actor, 'pageview', '/customers');
    if (i > 4) continue;
    // All digits on purpose: the collector's phone masking once hashed such runs inside
    // ids, and the path then held no id to template.
    const customer = `01900000-0000-7000-8000-00000000000${i}`;
    push(actor, 'customer_created', '/customers');
    push(actor, 'pageview', `/customers/${customer}`);
    push(actor, 'dwell', `/customers/${customer}`, { duration_ms: 20_000 + 1000 * i });
    if (i > 3) continue;
    push(actor, 'deal_created', `/customers/${customer}`, { props: { stage: 'lead' } });
    if (i === 1) push(actor, 'deal_stage_changed', `/customers/${customer}`, { props: { from: 'lead', to: 'won' } });
  }
  // A page with a long route template, sent by an SDK that knows it: its label is shown whole.
  push('end-user-6', 'dwell', '/settings/integrations/webhooks/7/deliveries/9/attempts', { route: LONG_ROUTE, duration_ms: 5000 });
  return events;
}
const LONG_ROUTE = '/settings/integrations/webhooks/:webhookId/deliveries/:deliveryId/attempts';

test.beforeAll(async ({ browser }, info) => {
  lang = langOf(info);
  tr = translator(lang);
  slug = `dash${lang === 'en' ? 'en' : 'zh'}${Date.now().toString(36)}`;
  expect((await admin('POST', '/v1/tenants', { slug })).status).toBe(201);
  const key = (await admin('POST', `/v1/tenants/${slug}/keys`, { name: 'product' })).body?.secret;
  const email = `dana@${slug}.test`;
  const invite = await admin('POST', `/v1/tenants/${slug}/users`, { email, role: 'admin' });
  const accepted = await fetch(`${API}/v1/t/${slug}/invites/accept`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token: invite.body?.invite_token, password: 'a long password' }),
  });
  expect(accepted.status).toBe(200);
  const asKey = (method: string, path: string, body: unknown) =>
    fetch(`${API}/v1/t/${slug}${path}`, { method, headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
  expect((await asKey('PATCH', '/settings', { timezone: TZ })).status, 'the workspace counts days in Shanghai').toBe(200);
  expect((await asKey('POST', '/events', { events: endUserEvents(slug) })).status).toBe(202);

  // The team member opens the dashboard (and nothing else: her own page views are the
  // dashboard's, so she never enters the funnel).
  // The browser is in another zone than the workspace, so a panel counted in the browser's shows.
  ctx = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN', timezoneId: 'America/New_York' });
  page = await ctx.newPage();
  page.on('request', (r) => {
    if (r.url().includes(`/v1/t/${slug}/analytics/`)) asked.push({ url: r.url(), body: r.postData() });
  });
  await page.goto(`${API}/app/t/${slug}/dashboard`);
  await page.getByLabel(tr('signIn.email')).fill(email);
  await page.getByLabel(tr('signIn.password')).fill('a long password');
  await page.getByRole('button', { name: tr('signIn.submit') }).click();
  await expect(page.getByRole('heading', { name: tr('titles.dashboard'), exact: true })).toBeVisible();
});

test.afterAll(async () => {
  await ctx?.close();
});

/// Refresh in the range `days`: a new "now", so every panel asks afresh.
async function reload(days = '30') {
  await page.getByLabel(tr('dashboard.range'), { exact: true }).selectOption(days);
  await page.getByRole('button', { name: tr('dashboard.refresh') }).click();
}

/// Today's month-day in the zone, as the axis labels it.
const today = () => new Intl.DateTimeFormat('en-CA', { timeZone: TZ }).format(new Date()).slice(5, 10);
const percent = (share: number) => new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 }).format(share);

const axis = async (figure: Locator) => ({
  first: await figure.getAttribute('data-x-first'),
  last: await figure.getAttribute('data-x-last'),
  count: await figure.getAttribute('data-x-count'),
  // The labels Recharts drew: the first and last x ticks, and the y axis's top.
  xTicks: (await figure.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').allTextContents()).filter((_, i, all) => i === 0 || i === all.length - 1),
});

test('item 5: whole days in the workspace time zone, today dashed and marked, straight lines, one x range and one y range per view', async () => {
  await expect(page.getByTestId('dashboard-tz')).toHaveAttribute('data-tz', TZ);
  const trendPanel = page.getByRole('region', { name: pattern(lang, 'dashboard.trend') });
  const trend = trendPanel.getByRole('figure');
  const activePanel = page.getByRole('region', { name: tr('dashboard.active') });
  const endUsers = activePanel.locator('figure[data-who="end_users"]');
  const team = activePanel.locator('figure[data-who="team_members"]');
  await expect(async () => {
    await reload();
    await expect(trend).toBeVisible({ timeout: 3000 });
    await expect(team).toHaveAttribute('data-y-max', /./, { timeout: 3000 });
  }, 'events arrive').toPass(again);

  // Thirty whole days ending today in Shanghai; today alone is incomplete.
  await expect(trend).toHaveAttribute('data-x-count', '30');
  expect([today()]).toContain(await trend.getAttribute('data-x-last'));
  await expect(trend).toHaveAttribute('data-incomplete', '1');
  const rows = trendPanel.getByRole('table').getByRole('row');
  await expect(rows.last()).toContainText(tr('dashboard.partialLabel', { label: today() }));
  await expect(rows.nth(1), 'the first day is whole, not a partial day drawn as 0').not.toContainText(tr('dashboard.partialLabel', { label: '' }).trim());
  // Today is the dashed line; every line is straight segments (no curve invents values between days).
  await expect(trend.locator('.recharts-line.incomplete path[stroke-dasharray="4 4"]').first()).toBeAttached();
  for (const d of await trend.locator('path.recharts-line-curve').evaluateAll((ps) => ps.map((p) => p.getAttribute('d') ?? ''))) expect(d).not.toMatch(/[CQS]/);
  await expect(endUsers.locator('.incomplete').first(), "today's bar is drawn apart").toBeAttached();

  // One x range for every chart of the view, as drawn; one y range for the two user charts.
  for (const days of ['30', '7']) {
    if (days === '7') await reload('7');
    await expect(trend).toHaveAttribute('data-x-count', days);
    // Recharts draws the ticks once it has measured its box.
    for (const f of [trend, endUsers, team]) await expect(f.locator('.recharts-xAxis-tick-labels .recharts-cartesian-axis-tick-value').first()).toBeAttached();
    const [a, b, c] = [await axis(trend), await axis(endUsers), await axis(team)];
    expect(b, 'end users per day: same days as the trend').toEqual(a);
    expect(c, 'team members per day: same days as the trend').toEqual(a);
    expect(a.xTicks).toEqual([a.first, a.last]);
  }
  const yMax = await endUsers.getAttribute('data-y-max');
  await expect(team).toHaveAttribute('data-y-max', yMax ?? '');
  const yTop = (f: Locator) => f.locator('.recharts-yAxis-tick-labels .recharts-cartesian-axis-tick-value').last();
  await expect(yTop(endUsers)).toHaveText(yMax ?? '');
  await expect(yTop(team)).toHaveText(yMax ?? '');
  await shot(page, lang, 'dashboard-trends');
});

test('item 5 (review): every panel, the funnel too, asks in the workspace zone only (never the browser\'s first) and for one range, which Refresh moves to a new now', async () => {
  await expect(page.getByTestId('dashboard-tz')).toHaveAttribute('data-tz', TZ);
  const zone = `tz=${encodeURIComponent(TZ)}`;
  expect(asked.length, 'the panels asked').toBeGreaterThan(0);
  expect(asked.filter((r) => !r.url.includes(zone) && !r.body?.includes(`"tz":"${TZ}"`)).map((r) => r.url), 'asked in another zone').toEqual([]);

  const before = await page.getByTestId('dashboard-tz').getAttribute('data-to');
  const since = asked.length;
  const funnel = page.waitForRequest((r) => r.url().endsWith('/analytics/funnel') && r.method() === 'POST');
  const retention = page.waitForRequest((r) => r.url().includes('/analytics/retention?'));
  const days = Number(await page.getByLabel(tr('dashboard.range'), { exact: true }).inputValue());
  await page.getByRole('button', { name: tr('dashboard.refresh') }).click();
  await expect(page.getByTestId('dashboard-tz'), 'Refresh moves the end of the range').not.toHaveAttribute('data-to', before ?? '');
  const to = await page.getByTestId('dashboard-tz').getAttribute('data-to');
  expect((await funnel).postDataJSON(), 'the funnel counts the same range').toMatchObject({ days, to, tz: TZ });
  await retention;
  const ranged = asked.slice(since).filter((r) => r.body === null && !r.url.includes('/retention?'));
  expect(ranged.map((r) => new URL(r.url).pathname.split('/').pop()).sort(), 'every panel asks again').toEqual(expect.arrayContaining(['active-users', 'dwell', 'top-pages', 'trends']));
  for (const r of ranged) expect(new URL(r.url).searchParams.get('to'), r.url).toBe(to);
});

test('item 8: the dashboard says whom it counts, end users apart from team members', async () => {
  const activePanel = page.getByRole('region', { name: tr('dashboard.active') });
  await expect(async () => {
    await reload();
    await expect(activePanel.getByTestId('who-counts')).toHaveText(tr('dashboard.whoTotals', { users: 7, endUsers: 6, team: 1 }), { timeout: 3000 });
  }, "the team member's own page views arrive").toPass(again);
  await expect(activePanel.getByText(tr('dashboard.whoExplained'))).toBeVisible();
  expect(await activePanel.getByTestId('weekly-active').getByRole('row').last().locator('td').allInnerTexts(), 'this week: end users, team members').toEqual(['6', '1']);
});

test('item 6: pages and dwell by route template, the base path stripped, every dwell label whole', async () => {
  const pages = page.getByTestId('top-pages');
  await expect(async () => {
    await reload();
    await expect(pages).toContainText('/customers/:id', { timeout: 3000 });
  }, 'page views arrive').toPass(again);
  const routes = await pages.locator('tbody th').allInnerTexts();
  expect(routes.filter((r) => r === '/customers/:id'), 'four customers, one page').toHaveLength(1);
  expect(routes).toContain('/customers');
  expect(routes.filter((r) => r.includes('/app/t/') || /[0-9a-f]{8}-/.test(r)), 'no base path, no ids').toEqual([]);
  expect(await pages.getByRole('row').filter({ hasText: '/customers/:id' }).locator('td').allInnerTexts(), 'views, visitors').toEqual(['4', '4']);

  const dwell = page.getByTestId('dwell');
  await expect(dwell.getByText(LONG_ROUTE, { exact: true })).toBeVisible();
  await expect(dwell.getByText('/customers/:id', { exact: true })).toBeVisible();
  // Every label is there in full: nothing cut off or hidden by its box.
  for (const size of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
    await page.setViewportSize(size);
    const cut = await dwell.locator('.bar-label').evaluateAll((ls) => ls.filter((l) => l.scrollWidth > l.clientWidth + 1 || l.getBoundingClientRect().width === 0).map((l) => l.textContent));
    expect(cut, `labels cut at ${size.width} px`).toEqual([]);
  }
  await page.setViewportSize({ width: 1280, height: 800 });
  await shot(page, lang, 'dashboard-pages');
});

test('item 7: a funnel built from pages, events and properties, checked field by field, with its table; retention and what users do after a page', async () => {
  const panel = page.getByRole('region', { name: tr('dashboard.funnel') });
  const result = panel.getByTestId('funnel-result');
  const rowOf = (n: number) => result.getByRole('row').nth(n);
  // The default funnel tells the story: 6 open the customers, 4 add one, 3 open a deal, 1 wins.
  await expect(async () => {
    await panel.getByRole('button', { name: tr('dashboard.showFunnel') }).click();
    await expect(rowOf(4)).toContainText('1', { timeout: 3000 });
  }, 'the default funnel').toPass(again);
  await expect(page.getByLabel(tr('dashboard.preset'), { exact: true })).toHaveValue('visitCustomerDealWon');
  const expected = [
    [tr('dashboard.visit', { route: '/customers' }), '6', percent(1), tr('dashboard.none')],
    [tr('dashboard.eventNames.customer_created'), '4', percent(0.6667), tr('dashboard.dropOffText', { n: '2', pct: percent(0.3333) })],
    [tr('dashboard.eventNames.deal_created'), '3', percent(0.5), tr('dashboard.dropOffText', { n: '1', pct: percent(0.25) })],
    [`${tr('dashboard.eventNames.deal_stage_changed')} (to=won)`, '1', percent(0.1667), tr('dashboard.dropOffText', { n: '2', pct: percent(0.6667) })],
  ];
  for (const [i, cells] of expected.entries()) {
    const texts = await rowOf(i + 1).locator('th, td').allInnerTexts();
    expect(texts.slice(0, 4), `step ${i + 1}`).toEqual(cells);
    expect(texts[4], 'median time to convert').not.toBe('');
  }
  // Event names read in words; the raw name, which the fields take, is kept on hover.
  await expect(rowOf(4).locator('[title="deal_stage_changed"]')).toBeAttached();
  // The window is shown and editable; what the numbers mean is said.
  await expect(panel.getByLabel(tr('dashboard.window'))).toHaveValue('7');
  await expect(panel.getByTestId('funnel-window')).toHaveText(pattern(lang, 'dashboard.windowUsed'));
  await expect(panel.getByText(tr('dashboard.explainDropOff'))).toBeVisible();
  // A one-user bar still shows.
  const oneUser = panel.getByTestId('funnel-bars').locator('.bar').last();
  expect((await oneUser.boundingBox())?.width ?? 0).toBeGreaterThanOrEqual(6);
  await shot(page, lang, 'dashboard-funnel');

  // A malformed step is refused on its field, nothing stale stays on screen.
  const route = panel.getByLabel(tr('dashboard.stepRoute', { n: 1 }));
  await route.fill('customers');
  await expect(route).toHaveAttribute('aria-invalid', 'true');
  await expect(route).toHaveAccessibleDescription(tr('dashboard.errors.route'));
  await expect(result).toHaveCount(0);
  await expect(panel.getByText(tr('dashboard.fixSteps'))).toBeVisible();
  await expect(page.getByLabel(tr('dashboard.preset'), { exact: true }), 'an edited preset is no longer the preset').toHaveValue('custom');
  // A property step needs its key.
  await panel.getByRole('button', { name: tr('dashboard.addStep') }).click();
  await panel.getByLabel(tr('dashboard.stepKind', { n: 5 })).selectOption('property');
  await expect(panel.getByLabel(tr('dashboard.stepKey', { n: 5 }))).toHaveAccessibleDescription(tr('dashboard.errors.key'));
  await panel.getByRole('button', { name: tr('dashboard.removeStep', { n: 5 }) }).click();
  // Fixed, it asks again by itself: four open a customer's page.
  await route.fill('/customers/:id');
  await expect(route).not.toHaveAttribute('aria-invalid', 'true');
  const cellsOf = (n: number) => rowOf(n).locator('th, td').allInnerTexts();
  await expect.poll(async () => (await cellsOf(1)).slice(0, 2)).toEqual([tr('dashboard.visit', { route: '/customers/:id' }), '4']);
  // The window too: 0 days is refused.
  const windowN = panel.getByLabel(tr('dashboard.window'));
  await windowN.fill('0');
  await expect(windowN).toHaveAccessibleDescription(tr('dashboard.errors.window'));
  await windowN.fill('2');
  await panel.getByLabel(tr('dashboard.windowUnit')).selectOption('hours');
  await expect(rowOf(4)).toContainText('1');
  await page.getByLabel(tr('dashboard.preset'), { exact: true }).selectOption('leadWon');
  await expect(rowOf(2)).toContainText(percent(0.3333));

  // Retention: this week's cohort, weeks after it not begun yet.
  const retention = page.getByTestId('retention');
  await expect(async () => {
    await reload();
    await expect(retention.getByRole('row').last().locator('td').first()).toHaveText('7', { timeout: 3000 });
  }, 'retention').toPass(again);
  await expect(retention.getByRole('columnheader', { name: tr('dashboard.weekN', { n: 8 }) })).toBeVisible();
  await expect(retention.locator('td.heat')).toHaveCount(9 * 8);
  await expect(retention.getByRole('row').last().getByText(tr('dashboard.notYet')).first()).toBeAttached();

  // After /customers: four added a customer, two left.
  const paths = page.getByRole('region', { name: tr('dashboard.paths') });
  await paths.getByLabel(tr('dashboard.afterPage')).selectOption('/customers');
  const next = paths.getByTestId('paths-next');
  await expect(next.getByRole('row').filter({ hasText: tr('dashboard.nextEvent', { name: tr('dashboard.eventNames.customer_created') }) })).toContainText(`4 (${percent(0.67)})`);
  await expect(next.getByRole('row').filter({ hasText: literally(tr('dashboard.exit')) })).toContainText(`2 (${percent(0.33)})`);
  await shot(page, lang, 'dashboard-retention-paths');
});
