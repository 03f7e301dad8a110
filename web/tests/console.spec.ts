// The operator console as an operator of a platform uses it (issue 12, items 10, 11, 12
// and 14): the overview, the tenants list's filters, a tenant's page, the slug form's
// refusals and the audit log read as sentences; and (issue 13) a tenant's plan and limit
// overrides, its quotas. Every case makes its own tenants over
// the admin API (slugs unique per language and run), so this file runs alone or after
// the others, and reads the screen through the app's catalogues in both languages.
import { expect, test, type Page } from '@playwright/test';
import { langOf, literally, pattern, translator, type Lang, type Tr } from './i18n';
import { admin, API, CLUSTER_REFS, CONSOLE, httpUser, OP, shot, startingWith } from './stack';

let lang: Lang = 'en';
let tr: Tr = translator('en');
let run = '';

// eslint-disable-next-line no-empty-pattern -- Playwright passes fixtures first; none are needed
test.beforeAll(({}, info) => {
  lang = langOf(info);
  tr = translator(lang);
  // Slugs: [a-z][a-z0-9_]{2,39}; unique per language and run.
  run = `${lang === 'en' ? 'en' : 'zh'}${Date.now().toString(36)}`;
});

/// A tenant made over the admin API, active when this returns.
async function tenant(slug: string, plan = 'free', display_name = `Tenant ${slug}`) {
  const r = await admin('POST', '/v1/tenants', { slug, display_name, plan });
  expect(r.status, `create ${slug}: ${JSON.stringify(r.body)}`).toBe(201);
  return slug;
}

async function signIn(page: Page, path = '/console') {
  await page.goto(`${CONSOLE}${path}`);
  await page.getByLabel(tr('signIn.email')).fill(OP.email);
  await page.getByLabel(tr('signIn.password')).fill(OP.password);
  await page.getByRole('button', { name: tr('signIn.submit') }).click();
}

const actionKey = (a: string) => a.replace(/\./g, '_');

test('item 10: the overview counts tenants, charts activity, shows readiness and the busiest tenants; the list filters and sorts; a tenant page renames, re-plans, sorts its users, re-invites (each row button names its user or key), asks before revoking a key and shows its trail', async ({ page }) => {
  const slug = await tenant(`c10${run}`, 'pro', 'Ten Corp');
  // An active user (their API calls are activity) and one who hasn't joined yet.
  const ann = await httpUser(slug, `ann@${slug}.test`, 'admin');
  expect((await ann('GET', '/customers')).status).toBe(200);
  expect((await admin('POST', `/v1/tenants/${slug}/users`, { email: `bob@${slug}.test` })).status).toBe(201);

  await signIn(page);
  await page.getByRole('link', { name: tr('nav.overview') }).click();
  await expect(page.getByRole('heading', { name: tr('titles.overview') })).toBeVisible();
  await expect(page).toHaveTitle(startingWith(tr('titles.overview')));
  const states = page.getByTestId('by-state');
  await expect(states.locator('tr[data-state="active"]')).toContainText(tr('states.tenant.active'));
  const active = Number((await states.locator('tr[data-state="active"] a').innerText()).replace(/\D/g, ''));
  expect(active, 'active tenants counted').toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId('by-plan').locator('tr[data-plan="pro"]')).toContainText(tr('plans.pro'));
  // Every process is checked and ready on this stack.
  const readiness = page.getByTestId('readiness');
  for (const p of ['control', 'postgres', 'clickhouse', 'api', 'collector']) {
    await expect(readiness.locator(`tr[data-process="${p}"]`), p).toContainText(tr(`overview.processes.${p}`));
    await expect(readiness.locator(`tr[data-process="${p}"] .badge`), p).toHaveText(tr('overview.readiness.ready'));
  }
  await expect(page.getByRole('img', { name: pattern(lang, 'chart.name', { name: tr('overview.activity') }) })).toBeVisible();
  await expect(page.getByTestId('top-tenants')).toBeVisible();
  await shot(page, lang, 'console-overview');

  // A count opens the tenants it counts: the list, filtered by that state.
  await states.locator('tr[data-state="active"] a').click();
  await expect(page.getByRole('heading', { name: tr('titles.tenants') })).toBeVisible();
  await expect(page.getByLabel(tr('tenants.stateFilter'))).toHaveValue('active');
  await page.getByLabel(tr('tenants.search')).fill(slug);
  const row = page.locator(`tr[data-tenant="${slug}"]`);
  await expect(row).toBeVisible();
  await page.getByLabel(tr('tenants.stateFilter')).selectOption('suspended');
  await expect(page.getByText(tr('tenants.noMatch'))).toBeVisible();
  await page.getByLabel(tr('tenants.stateFilter')).selectOption('');
  await page.getByLabel(tr('tenants.planFilter')).selectOption('pro');
  await expect(row).toBeVisible();
  await page.getByLabel(tr('tenants.planFilter')).selectOption('free');
  await expect(page.getByText(tr('tenants.noMatch'))).toBeVisible();
  await page.getByLabel(tr('tenants.planFilter')).selectOption('');
  const byState = page.getByRole('columnheader', { name: tr('tenants.col.state') });
  await byState.getByRole('button').click();
  await expect(byState).toHaveAttribute('aria-sort', 'descending');

  // The tenant's page.
  await row.getByRole('link', { name: 'Ten Corp' }).click();
  await expect(page.getByRole('heading', { name: 'Ten Corp' })).toBeVisible();
  await expect(page).toHaveTitle(startingWith(tr('titles.tenant')));
  await expect(page.getByTestId('facts')).toContainText(tr('tenantDetail.userCounts', { active: 1, admins: 1, invited: 1, disabled: 0 }));
  await expect(page.getByTestId('facts')).toContainText(pattern(lang, 'migrations.upToDate'));

  await page.getByLabel(tr('tenants.displayName'), { exact: true }).fill('Ten Corporation');
  await page.getByLabel(tr('tenants.plan'), { exact: true }).selectOption('enterprise');
  await page.getByRole('button', { name: tr('tenantDetail.save') }).click();
  await expect(page.getByRole('heading', { name: 'Ten Corporation' })).toBeVisible();
  await expect(page.getByTestId('facts')).toContainText(tr('plans.enterprise'));

  // Users, sorted like the tenant's Team list: newest (Bob) first, then by email, a to z.
  const users = page.getByRole('table', { name: tr('tenantDetail.usersWhat', { slug }) });
  await expect(users.locator('tbody tr').first()).toHaveAttribute('data-user', `bob@${slug}.test`);
  const byEmail = users.getByRole('columnheader', { name: tr('invite.email') });
  await byEmail.getByRole('button').click();
  await expect(byEmail).toHaveAttribute('aria-sort', 'descending');
  await byEmail.getByRole('button').click();
  await expect(byEmail).toHaveAttribute('aria-sort', 'ascending');
  await expect(users.locator('tbody tr').first()).toHaveAttribute('data-user', `ann@${slug}.test`);
  // A new invite link for Bob, a password reset link for Ann: each button names its user.
  const bob = page.locator(`tr[data-user="bob@${slug}.test"]`);
  await expect(bob).toContainText(tr('tenantDetail.userStatus.invited'));
  const bobName = (await bob.locator('th').innerText()).trim() || `bob@${slug}.test`;
  await page.getByRole('button', { name: tr('tenantDetail.resendFor', { name: bobName }), exact: true }).click();
  await expect(bob.getByLabel(tr('tenantDetail.linkFor', { email: `bob@${slug}.test` }))).toHaveValue(startingWith(`${API}/app/t/${slug}/accept#token=`));
  const annRow = page.locator(`tr[data-user="ann@${slug}.test"]`);
  const annName = (await annRow.locator('th').innerText()).trim() || `ann@${slug}.test`;
  await page.getByRole('button', { name: tr('tenantDetail.resetLinkFor', { name: annName }), exact: true }).click();
  await expect(annRow.getByLabel(tr('tenantDetail.linkFor', { email: `ann@${slug}.test` }))).toHaveValue(startingWith(`${API}/app/t/${slug}/reset#token=`));

  // Keys: the secret once; revoking asks first, naming the key (Cancel keeps it), then revokes.
  await page.getByLabel(tr('tenantDetail.keyName'), { exact: true }).fill('ci');
  await page.getByRole('button', { name: tr('tenantDetail.createKey') }).click();
  await expect(page.getByLabel(tr('tenantDetail.secret'), { exact: true })).not.toHaveValue('');
  const key = page.locator('tr[data-key="ci"]');
  const revokeCi = page.getByRole('button', { name: tr('tenantDetail.revokeFor', { name: 'ci' }), exact: true });
  const asking = key.getByRole('group', { name: tr('tenantDetail.revokeTitle', { name: 'ci' }) });
  await revokeCi.click();
  await expect(asking).toContainText(tr('tenantDetail.revokeExplain', { name: 'ci' }));
  await asking.getByRole('button', { name: tr('common.cancel') }).click();
  await expect(asking).toBeHidden();
  await expect(key).toContainText(tr('tenantDetail.keyActive'));
  await revokeCi.click();
  await asking.getByRole('button', { name: tr('tenantDetail.revokeConfirm', { name: 'ci' }) }).click();
  await expect(key).toContainText(pattern(lang, 'tenantDetail.revokedOn'));

  // Its audit trail, in sentences.
  const trail = page.getByRole('table', { name: tr('tenantDetail.auditOf', { slug }) });
  await expect(trail).toContainText(tr('audit.says.renamed', { name: 'Ten Corporation' }));
  await expect(trail).toContainText(tr('audit.says.planChanged', { plan: tr('plans.enterprise') }));
  await expect(trail).toContainText(tr('audit.says.tenant_user_reinvite', { email: `bob@${slug}.test`, role: tr('roles.member') }));
  await expect(trail).toContainText(tr('audit.actions.key_revoke'));
  // The row actions are here too.
  await expect(page.getByRole('button', { name: tr('tenants.suspend') })).toBeVisible();
  await expect(page.getByRole('button', { name: tr('tenants.invite') })).toBeVisible();
  await shot(page, lang, 'console-tenant');
});

test('item 11: the slug rules are shown before typing, and a slug that exists is refused on its field in the user’s language', async ({ page }) => {
  const slug = await tenant(`c11${run}`);
  await signIn(page);
  const field = page.getByLabel(tr('tenants.slug'));
  await expect(field).toHaveValue('');
  await expect(field, 'the rule describes the empty field').toHaveAccessibleDescription(startingWith(tr('tenants.slugRule')));
  await expect(page.locator('#new-slug-rule')).toContainText('information_schema');
  await expect(page.locator('#new-slug-rule')).toContainText('pg_');
  await field.fill(slug);
  await page.getByLabel(tr('tenants.displayName')).fill('Another name');
  await page.getByRole('button', { name: tr('tenants.createButton') }).click();
  await expect(field).toHaveAttribute('aria-invalid', 'true', { timeout: 20_000 });
  await expect(field).toHaveAccessibleDescription(tr('tenants.exists', { slug }));
  await shot(page, lang, 'console-tenant-exists');
  // The old tenant kept its name.
  const kept = await admin('GET', `/v1/tenants/${slug}`);
  expect((kept.body as { display_name?: string } | null)?.display_name).toBe(`Tenant ${slug}`);
});

test('issue 15: an operator creates a pooled tenant; its page says it shares a pool, its team works like any tenant’s, and a move gives it a schema of its own', async ({ page }) => {
  const slug = `p15${run}`;
  await signIn(page);
  await page.getByLabel(tr('tenants.slug')).fill(slug);
  // The form's tier follows the plan unless changed: a free tenant shares a pool.
  await expect(page.locator('#new-tier')).toHaveValue('');
  await expect(page.locator('#new-plan')).toHaveValue('free');
  await page.getByRole('button', { name: tr('tenants.createButton') }).click();
  await expect(page.locator(`tr[data-tenant="${slug}"]`)).toBeVisible({ timeout: 20_000 });
  const made = await admin('GET', `/v1/tenants/${slug}`);
  expect((made.body as { tier?: string; pool_name?: string } | null)?.tier).toBe('pooled');
  await page.goto(`${CONSOLE}/console/tenants/${slug}`);
  const facts = page.getByTestId('facts');
  await expect(facts).toContainText(tr('tiers.pooled'));
  await expect(facts).toContainText(/pool_\d\d · /);
  await expect(page.getByRole('button', { name: tr('tenants.invite') })).toBeVisible();

  // Moved to a schema of its own while live: the page says so once the placement flipped.
  const tier = tr('tiers.schema');
  await page.getByRole('button', { name: tr('tenants.move', { tier }) }).click();
  const dialog = page.getByRole('form', { name: tr('tenants.moveTitle', { slug, tier }) });
  await expect(dialog).toContainText(tr('tenants.moveExplain', { tier }));
  await dialog.getByRole('button', { name: tr('tenants.moveButton', { tier }) }).click();
  await expect(facts).toContainText(tier, { timeout: 30_000 });
  await expect(facts).not.toContainText(/pool_\d\d · /);
  const moved = await admin('GET', `/v1/tenants/${slug}/moves`);
  expect((moved.body as { items?: { state?: string }[] } | null)?.items?.[0]?.state).toBe('flipped');
});

test('issue 16: an operator registers a cluster by reference, drains, opens, puts a pooler in front, and removes it; a database that is a cluster already is refused in the user’s language', async ({ page }) => {
  const short = lang === 'en' ? 'en' : 'zh';
  const name = `web_${short}`;
  const refs = { control_url_ref: `file:${CLUSTER_REFS}/${short}-control-url`, api_url_ref: `file:${CLUSTER_REFS}/${short}-api-url` };
  // A retry finds it registered by the first try: start from nothing.
  await admin('DELETE', `/v1/clusters/${name}`);
  await signIn(page);
  await page.getByRole('link', { name: tr('nav.clusters') }).click();
  await expect(page.locator('tr[data-cluster="local"]')).toContainText(tr('clusters.home'));

  const form = page.getByRole('form', { name: tr('clusters.formLabel') });
  const add = async (cluster: string) => {
    await form.getByLabel(tr('clusters.name'), { exact: true }).fill(cluster);
    await form.getByLabel(tr('clusters.controlRef')).fill(refs.control_url_ref);
    await form.getByLabel(tr('clusters.apiRef')).fill(refs.api_url_ref);
    // Dedicated: placement never puts the other cases' tenants there.
    await form.getByLabel(tr('clusters.dedicatedOne')).check();
    await form.getByRole('button', { name: tr('clusters.add') }).click();
  };
  await add(name);
  const row = page.locator(`tr[data-cluster="${name}"]`);
  await expect(row).toContainText(tr('clusters.state.open'), { timeout: 20_000 });
  await expect(row).toContainText(refs.api_url_ref);
  await expect(row).not.toContainText('postgres://');
  await row.getByRole('button', { name: tr('clusters.drain') }).click();
  await expect(row).toContainText(tr('clusters.state.draining'));
  await row.getByRole('button', { name: tr('clusters.open') }).click();
  await expect(row).toContainText(tr('clusters.state.open'));
  // A transaction-mode pooler goes in front of it, and goes away again.
  await row.getByRole('button', { name: tr('clusters.putBehindPooler') }).click();
  await expect(row).toContainText(tr('clusters.behindPooler'));
  await row.getByRole('button', { name: tr('clusters.noPooler') }).click();
  await expect(row).not.toContainText(tr('clusters.behindPooler'));

  // The same database under another name: refused, and said in the user's language.
  await add(`${name}_again`);
  await expect(form).toContainText(tr('errors.cluster_in_use'));
  await expect(page.locator(`tr[data-cluster="${name}_again"]`)).toHaveCount(0);

  await row.getByRole('button', { name: tr('clusters.remove') }).click();
  await expect(row).toHaveCount(0);
  const audit = await admin('GET', '/v1/audit?action=cluster.add');
  const entries = (audit.body as { items?: { outcome: string; detail: { name?: string } }[] } | null)?.items ?? [];
  expect(entries.some((e) => e.outcome === 'ok' && e.detail.name === name)).toBe(true);
  expect(entries.some((e) => e.outcome === 'error' && e.detail.name === `${name}_again`)).toBe(true);
});

test('issue 16: an operator creates a tenant on a chosen cluster, moves it live to a database of its own on another cluster and follows the move phase by phase', async ({ page }) => {
  const short = lang === 'en' ? 'en' : 'zh';
  const cluster = `web_${short}`;
  const slug = `m16${run}`;
  // The cluster test above removed it: registered again, dedicated, so that no other case's
  // tenant is placed there.
  await admin('DELETE', `/v1/clusters/${cluster}`);
  const refs = { control_url_ref: `file:${CLUSTER_REFS}/${short}-control-url`, api_url_ref: `file:${CLUSTER_REFS}/${short}-api-url` };
  const added = await admin('POST', '/v1/clusters', { name: cluster, ...refs, dedicated: true });
  expect(added.status, JSON.stringify(added.body)).toBe(201);

  // Created on home, named in the form: with two open clusters it offers the choice.
  await signIn(page);
  await page.getByLabel(tr('tenants.slug')).fill(slug);
  await page.locator('#new-tier').selectOption('schema');
  await page.locator('#new-cluster').selectOption('local');
  await page.getByRole('button', { name: tr('tenants.createButton') }).click();
  await expect(page.locator(`tr[data-tenant="${slug}"]`)).toBeVisible({ timeout: 20_000 });
  await page.goto(`${CONSOLE}/console/tenants/${slug}`);
  const facts = page.getByTestId('facts');
  await expect(facts).toContainText(' · local');
  const tier = tr('tiers.pooled');
  await page.getByRole('button', { name: tr('tenants.move', { tier }) }).click();
  const dialog = page.getByRole('form', { name: tr('tenants.moveTitle', { slug, tier }) });
  await dialog.getByRole('combobox').selectOption(cluster);
  await expect(dialog).toContainText(tr('tenants.moveClusterExplain', { cluster }));
  await dialog.getByRole('button', { name: tr('tenants.moveToCluster', { cluster }) }).click();
  // Its phase while it runs, once a poll (every 400 ms) finds it under way: a move of one
  // row can be over before the first poll, and then only its record shows it ran. Either
  // way the page then says where the tenant lives.
  const phase = dialog.locator('[data-move-phase]');
  await expect(phase.or(facts.filter({ hasText: ` · ${cluster}` })).first()).toBeVisible({ timeout: 20_000 });
  await expect(facts).toContainText(` · ${cluster}`, { timeout: 60_000 });
  const moved = await admin('GET', `/v1/tenants/${slug}/moves`);
  const last = (moved.body as { items?: { state?: string; to_cluster?: string }[] } | null)?.items?.[0];
  expect(last?.state).toBe('flipped');
  expect(last?.to_cluster).toBe(cluster);
});

test('item 12: suspending asks for a reason, and the tenant page and the audit log show it', async ({ page }) => {
  const slug = await tenant(`c12${run}`);
  const reason = `Unpaid invoice 4711 ${lang}`;
  await signIn(page, `/console/tenants/${slug}`);
  await expect(page.getByRole('heading', { name: `Tenant ${slug}` })).toBeVisible();
  await page.getByRole('button', { name: tr('tenants.suspend') }).click();
  const why = page.getByLabel(tr('tenants.suspendReason'));
  await page.getByRole('button', { name: tr('tenants.suspendButton', { slug }) }).click();
  await expect(why).toHaveAccessibleDescription(tr('fieldErrors.required'));
  await why.fill(reason);
  await page.getByRole('button', { name: tr('tenants.suspendButton', { slug }) }).click();
  await expect(page.getByRole('heading', { name: `Tenant ${slug}` }).locator('.badge')).toHaveText(tr('states.tenant.suspended'));
  await expect(page.getByTestId('suspension')).toContainText(`“${reason}”`);
  await expect(page.getByRole('button', { name: tr('tenants.resume') })).toBeVisible();

  await page.getByRole('link', { name: tr('nav.audit') }).click();
  await page.getByLabel(tr('audit.tenant')).fill(slug);
  await page.getByLabel(tr('audit.action')).selectOption('tenant.suspend');
  const entry = page.locator('tbody tr[data-action="tenant.suspend"]');
  await expect(entry).toHaveCount(1);
  await expect(entry).toContainText(tr('audit.says.tenant_suspend', { reason }));
  await expect(entry, 'the operator by name, not operator:<email>').toContainText(`<${OP.email}>`);
  await expect(entry).not.toContainText('operator:');
});

test('item 14: the audit log names every action in the user’s language, reads entries as sentences with readable actors, and filters by tenant prefix, action and date', async ({ page }) => {
  // Two tenants sharing a prefix, made with the admin token; one gets a key.
  const prefix = `c14${run}`;
  await tenant(`${prefix}a`, 'pro');
  await tenant(`${prefix}b`);
  expect((await admin('POST', `/v1/tenants/${prefix}a/keys`, { name: 'etl' })).status).toBe(201);
  const actions = (await admin('GET', '/v1/audit/actions')).body as unknown as string[];
  expect(actions.length).toBeGreaterThan(20);
  // The console shows an unknown action by its raw name, so the catalogue is checked here.
  const unnamed = actions.filter((a) => {
    try {
      tr(`audit.actions.${actionKey(a)}`);
      return false;
    } catch {
      return true;
    }
  });
  expect(unnamed, 'actions the server lists without a catalogue name').toEqual([]);

  await signIn(page, '/console/audit');
  await expect(page.getByRole('heading', { name: tr('titles.audit') })).toBeVisible();
  // Every action the control plane records is offered, under its translated name (a
  // missing translation throws here, and fails shot() below).
  const select = page.getByLabel(tr('audit.action'));
  await expect(select.locator('option')).toHaveCount(actions.length + 1);
  for (const a of actions) await expect(select.locator(`option[value="${a}"]`), a).toHaveText(tr(`audit.actions.${actionKey(a)}`));

  await page.getByLabel(tr('audit.tenant')).fill(prefix);
  const body = page.locator('tbody');
  await expect(body.locator('tr[data-action="tenant.create"]')).toHaveCount(2);
  await expect(body.locator('tr[data-action="key.create"]')).toHaveCount(1);
  await expect(body).toContainText(pattern(lang, 'audit.says.tenant_create', { plan: tr('plans.pro') }));
  await expect(body).toContainText(pattern(lang, 'audit.says.key_create', { name: 'etl' }));
  await expect(body, 'the admin token in words').toContainText(tr('audit.actor.adminToken'));
  await expect(body).not.toContainText('token:admin');
  await expect(body, 'no raw JSON').not.toContainText('{"');
  await expect(page.getByRole('status').filter({ hasText: pattern(lang, 'list.rangeOf', { from: 1, to: 3, total: 3 }) })).toBeVisible();

  await select.selectOption('key.create');
  await expect(body.locator('tr')).toHaveCount(1);
  await expect(body.locator('tr[data-action="key.create"]')).toHaveCount(1);
  await select.selectOption('');

  const day = (offset: number) => {
    const d = new Date(Date.now() + offset * 86_400_000);
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  };
  await page.getByLabel(tr('audit.from')).fill(day(1));
  await expect(page.getByText(tr('audit.empty'))).toBeVisible();
  await page.getByLabel(tr('audit.from')).fill(day(0));
  await page.getByLabel(tr('audit.to')).fill(day(0));
  await expect(body.locator('tr[data-action="tenant.create"]')).toHaveCount(2);
  await shot(page, lang, 'console-audit-log');
});

// Issue 13 §1: operators change plans and overrides in the console.
const MIB = 1024 ** 2;
interface LimitsAnswer {
  plan: string;
  limit_overrides: Record<string, number>;
  limits: Record<string, number>;
}
const limitsOf = async (slug: string) => (await admin('GET', `/v1/tenants/${slug}`)).body as unknown as LimitsAnswer;

function limitsForm(page: Page) {
  const limits = page.getByTestId('limits');
  return {
    limits,
    field: (f: string) => limits.getByLabel(tr(`limits.fields.${f}`), { exact: true }),
    plan: page.getByLabel(tr('tenants.plan'), { exact: true }),
    save: async () => {
      await page.getByRole('button', { name: tr('tenantDetail.save') }).click();
    },
  };
}

test('issue 13 item 1: an operator moves a tenant to another plan and overrides its limits on its page (storage in MiB); the overrides are saved, read back after a reload, audited, and an emptied one follows the plan again', async ({ page }) => {
  const slug = await tenant(`l1${run}`, 'free');
  await signIn(page, `/console/tenants/${slug}`);
  const { field, plan, save } = limitsForm(page);
  // Following the free plan: its values are the placeholders and the hints.
  await expect(field('max_connections')).toHaveValue('');
  await expect(field('max_connections')).toHaveAttribute('placeholder', '2');
  await expect(field('max_connections')).toHaveAccessibleDescription(tr('limits.plan', { value: '2' }));
  await expect(field('storage_bytes')).toHaveAttribute('placeholder', '100');
  await expect(field('storage_bytes')).toHaveAccessibleDescription(tr('limits.planSize', { value: '100 MiB' }));
  const storage = page.locator('[data-quota="storage_bytes"]');
  await expect(storage, 'never measured: said, not drawn as 0').toContainText(tr('limits.notMeasured', { quota: '100 MiB' }));

  await plan.selectOption('pro');
  await expect(field('burst')).toHaveAccessibleDescription(tr('limits.followsNewPlan', { plan: tr('plans.pro') }));
  await field('max_connections').fill('6');
  await field('requests_per_second').fill('1,200');
  await field('storage_bytes').fill('2048');
  await save();
  await expect(page.getByText(tr('tenantDetail.saved'))).toBeVisible();
  await expect(field('burst'), 'the pro plan’s value once saved').toHaveAttribute('placeholder', '1000');
  let saved = await limitsOf(slug);
  expect(saved.plan).toBe('pro');
  expect(saved.limit_overrides).toEqual({ max_connections: 6, requests_per_second: 1200, storage_bytes: 2048 * MIB });
  expect(saved.limits.burst, 'not overridden: the plan’s').toBe(1000);

  await page.reload();
  await expect(plan).toHaveValue('pro');
  await expect(field('max_connections')).toHaveValue('6');
  await expect(field('requests_per_second')).toHaveValue('1200');
  await expect(field('storage_bytes')).toHaveValue('2048');
  await expect(field('burst')).toHaveValue('');
  await expect(storage, 'the override is the quota').toContainText(tr('limits.notMeasured', { quota: '2 GiB' }));
  const trail = page.getByRole('table', { name: tr('tenantDetail.auditOf', { slug }) });
  const list = [`${tr('limits.names.max_connections')} 6`, `${tr('limits.names.requests_per_second')} 1,200`, `${tr('limits.names.storage_bytes')} 2 GiB`].join(tr('audit.says.listSeparator'));
  await expect(trail).toContainText(tr('audit.says.limitsChanged', { list }));
  await shot(page, lang, 'console-tenant-limits');

  // Emptying a field removes that override only.
  await field('max_connections').fill('');
  await save();
  await expect(page.getByText(tr('tenantDetail.saved'))).toBeVisible();
  await page.reload();
  await expect(field('max_connections')).toHaveValue('');
  await expect(field('max_connections')).toHaveAttribute('placeholder', '4');
  await expect(field('requests_per_second')).toHaveValue('1200');
  saved = await limitsOf(slug);
  expect(saved.limit_overrides).toEqual({ requests_per_second: 1200, storage_bytes: 2048 * MIB });
  expect(saved.limits.max_connections).toBe(4);
});

test('issue 13 item 1: a limit outside its range is refused on its field in the user’s language (a size in sizes), an unreadable one before sending, and nothing changes, not the plan either', async ({ page }) => {
  const slug = await tenant(`l2${run}`, 'pro');
  await signIn(page, `/console/tenants/${slug}`);
  const { limits, field, plan, save } = limitsForm(page);
  await plan.selectOption('enterprise');
  await field('max_connections').fill('100');
  await save();
  await expect(field('max_connections')).toHaveAttribute('aria-invalid', 'true');
  await expect(field('max_connections')).toHaveAccessibleDescription(literally(tr('fieldErrors.range', { min: '1', max: '64' })));
  await expect(page.locator('form[aria-labelledby="tenant-settings"] .form-error'), 'said on the field, not again above it').toBeHidden();
  await shot(page, lang, 'console-tenant-limit-refused');

  await field('max_connections').fill('');
  await field('storage_bytes').fill('0.5');
  await save();
  await expect(limits).toContainText(tr('limits.sizeRange', { min: '1 MiB', max: '1 PiB' }));
  await expect(field('max_connections')).not.toHaveAttribute('aria-invalid', 'true');

  // Not a whole number: refused here, nothing sent.
  await field('storage_bytes').fill('');
  await field('burst').fill('lots');
  await save();
  await expect(field('burst')).toHaveAttribute('aria-invalid', 'true');
  await expect(limits).toContainText(tr('limits.errors.whole_number'));

  const kept = await limitsOf(slug);
  expect(kept.plan).toBe('pro');
  expect(kept.limit_overrides).toEqual({});
  await page.reload();
  await expect(plan).toHaveValue('pro');
  await expect(field('burst')).toHaveValue('');
  await expect(field('burst')).toHaveAttribute('placeholder', '1000');
});

// Issue 13 §2: who uses what, in the console.
interface UsageAnswer {
  totals: { requests?: number | null };
}

test('issue 13 item 2: a tenant with traffic has a usage tab with a chart per measure (requests, p95 latency, database time, refusals), each with its table, and storage and events against their quotas with the over-quota badge; the overview shows all tenants’ usage, the top tenants by each measure and the newest backup', async ({ page }) => {
  const slug = await tenant(`u1${run}`, 'pro');
  const ann = await httpUser(slug, `ann@${slug}.test`, 'admin');
  for (let i = 0; i < 8; i++) expect((await ann('GET', '/customers')).status).toBe(200);
  // An events quota of 0 is used up at once: the next measurement sets the flag.
  expect((await admin('PATCH', `/v1/tenants/${slug}`, { limits: { events_per_month: 0 } })).status).toBe(200);
  // The requests reach ClickHouse through the spool and the collector within seconds.
  const requests = async () => ((await admin('GET', `/v1/tenants/${slug}/usage?window=1h`)).body as unknown as UsageAnswer).totals.requests ?? 0;
  await expect.poll(requests, { timeout: 30_000 }).toBeGreaterThanOrEqual(8);
  expect((await admin('POST', '/v1/usage/sample')).status).toBe(200);

  await signIn(page, `/console/tenants/${slug}`);
  await expect(page.getByTestId('over-events')).toHaveText(tr('limits.overEvents'));
  await expect(page.getByTestId('over-storage')).toHaveCount(0);
  await page.getByRole('tab', { name: tr('tenantDetail.tabUsage') }).click();
  await expect(page).toHaveURL(/\?tab=usage$/);
  await expect(page.getByRole('tab', { name: tr('tenantDetail.tabUsage') })).toHaveAttribute('aria-selected', 'true');
  const totals = page.getByTestId('usage-totals');
  await expect(totals.locator('tr').first()).toContainText(tr('usage.requests'));
  await expect(totals).not.toContainText(tr('usage.unavailableValue'));
  for (const id of ['requests', 'p95', 'db', 'rejected']) {
    const chart = page.locator(`[data-measure="${id}"]`);
    await expect(chart.getByRole('img'), id).toBeVisible();
    await expect(chart.locator('svg.sparkline'), id).toHaveAttribute('data-points', /^\d+$/);
  }
  const requestsChart = page.locator('[data-measure="requests"]');
  await expect(requestsChart.locator('svg.sparkline'), 'the requests are drawn').not.toHaveAttribute('data-max', /^0?$/);
  await requestsChart.getByRole('button', { name: tr('chart.showTable') }).click();
  await expect(requestsChart.getByRole('table')).toBeVisible();
  await expect(requestsChart.getByRole('columnheader', { name: tr('usage.bucket') })).toBeVisible();
  await expect(page.locator('[data-quota="storage_bytes"]').getByTestId('used-of')).toContainText(pattern(lang, 'limits.usedOf', { quota: '5 GiB' }));
  await expect(page.locator('[data-quota="events_per_month"]')).toContainText(tr('limits.overEvents'));
  await shot(page, lang, 'console-tenant-usage');
  // Another window asks again, and the tab survives a reload.
  await page.getByLabel(tr('usage.window'), { exact: true }).selectOption('7d');
  await expect(page.getByText(pattern(lang, 'usage.range', { bucket: tr('usage.buckets.day') }))).toBeVisible();
  await page.reload();
  await expect(page.getByRole('tab', { name: tr('tenantDetail.tabUsage') })).toHaveAttribute('aria-selected', 'true');

  await page.getByRole('link', { name: tr('nav.overview') }).click();
  const total = page.getByTestId('total-usage');
  for (const m of ['requests', 'db_time', 'storage', 'events']) await expect(total.locator(`tr[data-measure="${m}"]`), m).toContainText(tr(`overview.measures.${m}`));
  await expect(total).not.toContainText(tr('usage.unavailableValue'));
  for (const m of ['requests', 'db_time', 'storage']) await expect(page.getByTestId(`top-${m}`).locator('tbody tr').first(), m).toBeVisible();
  // The stack took a full backup before the cases began.
  await expect(page.getByTestId('last-backup')).toContainText(pattern(lang, 'backups.newest'));
  await shot(page, lang, 'console-overview-usage');
});
