// Issue 12, items 9 and 2 in Chromium: a CRM people can work in (edit and delete with
// If-Match, a stale version reloaded and said, orders linked to customers with a
// quantity, notes, a customer's activity timeline, deals that open) and money as people
// type it (locale rules, ambiguous amounts refused in the user's language, a CNY
// tenant). Each case makes its own tenant, so this file runs alone or after the others.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { langOf, literally, translator, type Lang, type Tr } from './i18n';
import { admin, API, httpUser, shot } from './stack';

test.describe.configure({ mode: 'serial' });

let lang: Lang = 'en';
let tr: Tr = translator('en');

// eslint-disable-next-line no-empty-pattern -- Playwright passes fixtures first; none are needed
test.beforeAll(({}, info) => {
  lang = langOf(info);
  tr = translator(lang);
});

type Call = Awaited<ReturnType<typeof httpUser>>;

/// A fresh tenant with an admin who is signed in over HTTP (`ann`) and in a browser page.
async function workspace(browser: Browser, name: string): Promise<{ slug: string; ann: Call; page: Page; currency: string; me: string }> {
  const slug = `${name}${lang === 'en' ? 'en' : 'zh'}${Date.now().toString(36)}`;
  const created = await admin('POST', '/v1/tenants', { slug, display_name: name });
  expect(created.status, `${slug}: ${JSON.stringify(created.body)}`).toBe(201);
  const email = `ann@${slug}.test`;
  const ann = await httpUser(slug, email, 'admin');
  const ctx = await browser.newContext({ locale: lang === 'en' ? 'en-US' : 'zh-CN' });
  const page = await ctx.newPage();
  await page.goto(`${API}/app/t/${slug}/customers`);
  await page.getByLabel(tr('signIn.email')).fill(email);
  await page.getByLabel(tr('signIn.password')).fill('a long password');
  await page.getByRole('button', { name: tr('signIn.submit') }).click();
  await expect(page.getByRole('heading', { name: tr('titles.customers') })).toBeVisible();
  // The currency new deals and orders start in (the operator's default for new tenants).
  const { currency } = (await ann('GET', '/settings')).body as unknown as { currency: string };
  const me = ((await ann('GET', '/session')).body as unknown as { user: { display_name: string } }).user.display_name;
  return { slug, ann, page, currency, me };
}

const money = (amount: number, currency: string) => new Intl.NumberFormat(lang, { style: 'currency', currency }).format(amount);
const versionOf = (b: unknown) => (b as { version: number }).version;

test('item 9: a customer is edited and deleted with If-Match (a stale version is reloaded and said), and its page shows orders with quantity, notes, clickable deals and a timeline; a suggested industry is stored as its key; a closed dialog gives focus back to its opener', async ({ browser }) => {
  const { ann, page, currency, me } = await workspace(browser, 'crmcust');

  // Industry is set when the customer is added.
  await page.getByLabel(tr('customers.name'), { exact: true }).fill('Nimbus Ltd');
  await page.getByLabel(tr('customers.industry')).fill(tr('customers.industries.software'));
  await page.getByRole('button', { name: tr('customers.addButton') }).click();
  const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Nimbus Ltd' }) });
  await expect(row).toHaveClass(/created/);
  await expect(row).toContainText(tr('customers.industries.software'));
  await expect(page.getByRole('status').filter({ hasText: tr('customers.created', { name: 'Nimbus Ltd' }) })).toBeVisible();
  const { id, industry } = ((await ann('GET', '/customers')).body?.items?.[0] ?? {}) as { id: string; industry: string };
  expect(industry, 'a suggestion is stored as its key, the same in every language').toBe('software');

  // A deal made elsewhere that moved a stage: on the customer page and in its timeline.
  const deal = await ann('POST', '/deals', { title: 'Cloud move', amount_cents: 250000, currency: 'EUR', customer_id: id });
  expect(deal.status).toBe(201);
  expect((await ann('POST', `/deals/${deal.body?.id}/stage`, { stage: 'qualified' })).status).toBe(200);

  await row.getByRole('link', { name: 'Nimbus Ltd' }).click();
  await expect(page.getByRole('heading', { name: 'Nimbus Ltd', level: 1 })).toBeVisible();

  // An order recorded here is this customer's, with its quantity.
  const orderForm = page.getByRole('form', { name: tr('orders.addFor', { name: 'Nimbus Ltd' }) });
  await orderForm.getByLabel(tr('orders.item')).fill('Server racks');
  await orderForm.getByLabel(tr('orders.quantity')).fill('3');
  await orderForm.getByLabel(tr('orders.amount'), { exact: true }).fill('1,234.50');
  await orderForm.getByRole('button', { name: tr('orders.addButton') }).click();
  const orders = page.getByRole('table', { name: tr('orders.what') });
  const order = orders.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Server racks' }) });
  await expect(order).toHaveClass(/created/);
  await expect(order.getByRole('cell').first()).toHaveText('3');
  await expect(order).toContainText(money(1234.5, currency));
  const orders_ = (await ann('GET', `/orders?customer_id=${id}`)).body?.items as unknown as { customer_id: string; quantity: number }[];
  expect(orders_.map((o) => [o.customer_id, o.quantity]), 'linked to the customer, with its quantity').toEqual([[id, 3]]);

  // A note: in the notes (deletable by its author) and in the timeline.
  await page.getByRole('textbox', { name: tr('notes.body'), exact: true }).fill('Wants a call on Monday.');
  await page.getByRole('button', { name: tr('notes.addButton') }).click();
  await expect(page.getByRole('status').filter({ hasText: tr('notes.created') })).toBeVisible();
  const timeline = page.getByRole('list', { name: tr('timeline.title') });
  await expect(timeline.locator('li').first(), 'newest first').toContainText('Wants a call on Monday.');
  await expect(timeline.locator('li[data-kind="note_added"]')).toContainText(tr('timeline.noteAdded', { author: me }));
  await expect(timeline.locator('li[data-kind="order_created"]')).toContainText(tr('timeline.orderCreated', { item: 'Server racks', quantity: 3, amount: money(1234.5, currency) }));
  await expect(timeline.locator('li[data-kind="stage_changed"]')).toContainText(tr('timeline.stageChanged', { from: tr('stages.lead'), to: tr('stages.qualified') }));
  await expect(timeline.locator('li[data-kind="deal_created"]')).toContainText(money(2500, 'EUR'));

  // The deal on the customer page opens; it is changed there and gets a note.
  await page.getByRole('table', { name: tr('customer.dealsWhat') }).getByRole('button', { name: 'Cloud move' }).click();
  const dialog = page.getByRole('dialog', { name: tr('deals.dialog', { title: 'Cloud move' }) });
  await expect(dialog.getByLabel(tr('deals.title'), { exact: true })).toHaveValue('Cloud move');
  await expect(dialog.getByRole('combobox', { name: tr('deals.customer') })).toHaveValue('Nimbus Ltd');
  await dialog.getByLabel(tr('deals.title'), { exact: true }).fill('Cloud move 2027');
  await dialog.getByRole('button', { name: tr('crm.save') }).click();
  await expect(dialog.getByRole('status').filter({ hasText: tr('crm.saved') })).toBeVisible();
  await dialog.getByRole('textbox', { name: tr('notes.body'), exact: true }).fill('Budget approved.');
  await dialog.getByRole('button', { name: tr('notes.addButton') }).click();
  await expect(dialog.getByRole('table', { name: tr('notes.what') })).toContainText('Budget approved.');
  await shot(page, lang, 'crm-deal-dialog');
  await dialog.getByRole('button', { name: tr('common.close') }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('table', { name: tr('customer.dealsWhat') }).getByRole('button', { name: 'Cloud move 2027' }), 'focus is back on what opened the dialog').toBeFocused();
  await expect(timeline.locator('li').first(), "the deal's note is the customer's newest activity").toContainText('Budget approved.');
  await shot(page, lang, 'crm-customer-timeline');

  // Edit, while someone else renames the customer: the save is refused (412), the form
  // shows their version and says so; saving again works.
  await page.getByRole('button', { name: tr('customer.edit') }).click();
  const edit = page.getByRole('dialog', { name: tr('customer.edit') });
  await expect(edit.getByLabel(tr('customers.industry'))).toHaveValue(tr('customers.industries.software'));
  const current = await ann('GET', `/customers/${id}`);
  expect((await ann('PATCH', `/customers/${id}`, { name: 'Nimbus Group' })).status).toBe(200);
  await edit.getByLabel(tr('customers.industry')).fill(tr('customers.industries.finance'));
  await edit.getByRole('button', { name: tr('crm.save') }).click();
  await expect(edit.getByRole('alert').filter({ hasText: tr('crm.stale') })).toBeVisible();
  await expect(edit.getByLabel(tr('customers.name'), { exact: true }), 'reloaded with the other change').toHaveValue('Nimbus Group');
  await expect(page.getByRole('heading', { name: 'Nimbus Group', level: 1 })).toBeVisible();
  await shot(page, lang, 'crm-customer-stale');
  await edit.getByLabel(tr('customers.industry')).fill(tr('customers.industries.finance'));
  await edit.getByRole('button', { name: tr('crm.save') }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: tr('customer.saved', { name: 'Nimbus Group' }) })).toBeVisible();
  await expect(page.getByTestId('customer-summary')).toContainText(tr('customers.industries.finance'));
  const after = await ann('GET', `/customers/${id}`);
  expect(versionOf(after.body), 'two changes since the first read').toBe(versionOf(current.body) + 2);
  expect((after.body as unknown as { industry: string }).industry, 'picked in the edit form: stored as its key').toBe('finance');

  // Delete, after another change over HTTP: refused and reloaded, then deleted.
  expect((await ann('PATCH', `/customers/${id}`, { domain: 'nimbus.example' })).status).toBe(200);
  await page.getByRole('button', { name: tr('crm.deleteWhat', { what: 'Nimbus Group' }) }).click();
  const confirm = page.getByRole('group', { name: tr('crm.deleteWhat', { what: 'Nimbus Group' }) });
  await expect(confirm).toContainText(tr('customer.confirmDelete', { name: 'Nimbus Group' }));
  await confirm.getByRole('button', { name: tr('crm.confirmDelete') }).click();
  await expect(confirm.getByRole('alert')).toHaveText(tr('crm.stale'));
  await expect(page.getByTestId('customer-summary'), 'reloaded').toContainText('nimbus.example');
  expect((await ann('GET', `/customers/${id}`)).status, 'nothing deleted on a stale version').toBe(200);
  await confirm.getByRole('button', { name: tr('crm.confirmDelete') }).click();
  await expect(page.getByRole('heading', { name: tr('titles.customers') })).toBeVisible();
  await expect(page.getByRole('status').filter({ hasText: tr('customers.deleted', { name: 'Nimbus Group' }) })).toBeVisible();
  expect((await ann('GET', `/customers/${id}`)).status).toBe(404);
  await page.context().close();
});

test('item 9: deals are changed (their customer too), noted and deleted from the board; a customer that fails to load is said with Retry; notes are edited by their author and offered to an admin; orders are recorded for a customer with a quantity, changed and deleted; contacts too', async ({ browser }) => {
  const { slug, ann, page, currency } = await workspace(browser, 'crmdeal');
  const customer = await ann('POST', '/customers', { name: 'Orbit GmbH', industry: 'Logistics' });
  const deal = await ann('POST', '/deals', { title: 'Fleet', amount_cents: 99000, currency: 'USD', customer_id: customer.body?.id });
  expect(deal.status).toBe(201);
  expect((await ann('POST', '/customers', { name: 'Comet AG' })).status).toBe(201);
  // A member's note on the customer: an admin may change it too.
  const bo = await httpUser(slug, `bo@${slug}.test`, 'member');
  expect((await bo('POST', `/customers/${customer.body?.id}/notes`, { body: 'Bo was here.' })).status).toBe(201);

  await page.getByRole('link', { name: tr('nav.deals') }).click();
  const card = page.locator('[data-stage="lead"] article[data-deal="Fleet"]');
  await expect(card, 'the amount in its own currency').toContainText(money(990, 'USD'));
  // The deal's customer fails to load: said, with Retry, which then shows it.
  const customerPath = `**/v1/t/${slug}/customers/${customer.body?.id}`;
  await page.route(customerPath, (r) => r.fulfill({ status: 503, contentType: 'application/problem+json', body: JSON.stringify({ status: 503, code: 'unavailable', title: 'Unavailable', detail: 'Try again later.' }) }));
  await card.getByRole('button', { name: 'Fleet' }).click();
  const dialog = page.getByRole('dialog', { name: tr('deals.dialog', { title: 'Fleet' }) });
  const picker = dialog.getByRole('combobox', { name: tr('deals.customer') });
  const retry = dialog.getByRole('alert').getByRole('button', { name: tr('states.retry') });
  await expect(retry).toBeVisible();
  await page.unroute(customerPath);
  await retry.click();
  await expect(picker).toHaveValue('Orbit GmbH');
  const amount = dialog.getByLabel(tr('deals.amount'), { exact: true });
  await expect(amount).toHaveValue('990.00');
  await amount.fill('1,500');
  // Another customer: the saved deal's picker shows it, not the one before.
  await picker.fill('Comet');
  await dialog.getByRole('option', { name: /Comet AG/ }).click();
  await dialog.getByRole('button', { name: tr('crm.save') }).click();
  await expect(dialog.getByRole('status').filter({ hasText: tr('crm.saved') })).toBeVisible();
  await expect(card).toContainText(money(1500, 'USD'));
  await expect(picker).toHaveValue('Comet AG');
  await dialog.getByRole('textbox', { name: tr('notes.body'), exact: true }).fill('Call back in May.');
  await dialog.getByRole('button', { name: tr('notes.addButton') }).click();
  const notes = dialog.getByRole('table', { name: tr('notes.what') });
  await expect(notes).toContainText('Call back in May.');
  // Its author may change it (If-Match) and delete it.
  await notes.getByRole('button', { name: tr('notes.edit', { note: 'Call back in May.' }) }).click();
  const editNote = page.getByRole('dialog', { name: tr('notes.editTitle') });
  await editNote.getByRole('textbox', { name: tr('notes.body') }).fill('Call back in June.');
  await editNote.getByRole('button', { name: tr('crm.save') }).click();
  await expect(editNote).toBeHidden();
  await expect(dialog.getByRole('status').filter({ hasText: tr('notes.saved') })).toBeVisible();
  await expect(notes.getByRole('button', { name: tr('notes.edit', { note: 'Call back in June.' }) }), 'focus back on the opener').toBeFocused();
  await notes.getByRole('button', { name: tr('notes.delete', { note: 'Call back in June.' }) }).click();
  await notes.getByRole('button', { name: tr('crm.confirmDelete') }).click();
  await expect(dialog.getByText(tr('notes.empty'))).toBeVisible();
  await dialog.getByRole('button', { name: tr('crm.deleteWhat', { what: 'Fleet' }) }).click();
  await dialog.getByRole('button', { name: tr('crm.confirmDelete') }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: tr('deals.deleted', { title: 'Fleet' }) })).toBeVisible();
  await expect(card).toHaveCount(0);
  expect((await ann('GET', `/deals/${deal.body?.id}`)).status).toBe(404);

  await page.getByRole('link', { name: tr('nav.orders') }).click();
  await page.getByLabel(tr('orders.item')).fill('Tyres');
  await page.getByLabel(tr('orders.quantity')).fill('4');
  await page.getByLabel(tr('orders.amount'), { exact: true }).fill('400');
  await page.getByRole('combobox', { name: tr('orders.customer') }).fill('Orbit');
  await page.getByRole('option', { name: /Orbit GmbH/ }).click();
  await page.getByRole('button', { name: tr('orders.addButton') }).click();
  const order = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Tyres' }) });
  await expect(order).toHaveClass(/created/);
  await expect(order.getByRole('link', { name: 'Orbit GmbH' }), 'linked to its customer').toBeVisible();
  await expect(order.getByRole('cell').nth(1)).toHaveText('4');
  await order.getByRole('button', { name: tr('crm.editWhat', { what: 'Tyres' }) }).click();
  const edit = page.getByRole('dialog', { name: tr('orders.edit', { item: 'Tyres' }) });
  await expect(edit.getByRole('combobox', { name: tr('orders.customer') })).toHaveValue('Orbit GmbH');
  await edit.getByLabel(tr('orders.quantity')).fill('6');
  await edit.getByLabel(tr('orders.amount'), { exact: true }).fill('600');
  await shot(page, lang, 'crm-order-form');
  await edit.getByRole('button', { name: tr('crm.save') }).click();
  await expect(edit).toBeHidden();
  await expect(page.getByRole('status').filter({ hasText: tr('orders.saved', { item: 'Tyres' }) })).toBeVisible();
  await expect(order).toHaveClass(/created/);
  await expect(order.getByRole('cell').nth(1)).toHaveText('6');
  await expect(order).toContainText(money(600, currency));
  await order.getByRole('button', { name: tr('crm.editWhat', { what: 'Tyres' }) }).click();
  await edit.getByRole('button', { name: tr('crm.deleteWhat', { what: 'Tyres' }) }).click();
  await edit.getByRole('button', { name: tr('crm.confirmDelete') }).click();
  await expect(page.getByRole('status').filter({ hasText: tr('orders.deleted', { item: 'Tyres' }) })).toBeVisible();
  await expect(order).toHaveCount(0);

  // Contacts: added, changed, deleted on the customer page.
  await page.goto(`${API}/app/t/${slug}/customers/${customer.body?.id}`);
  const customerNotes = page.getByRole('table', { name: tr('notes.what') });
  await expect(customerNotes.getByRole('button', { name: tr('notes.edit', { note: 'Bo was here.' }) }), "an admin may change a member's note").toBeVisible();
  await page.getByLabel(tr('customer.contactName')).fill('Olli Orbit');
  await page.getByRole('button', { name: tr('customer.addContactButton') }).click();
  const contact = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Olli Orbit' }) });
  await expect(contact).toHaveClass(/created/);
  await contact.getByRole('button', { name: tr('crm.editWhat', { what: 'Olli Orbit' }) }).click();
  const editContact = page.getByRole('dialog', { name: tr('customer.editContact', { name: 'Olli Orbit' }) });
  await editContact.getByLabel(tr('customer.jobTitle')).fill('CTO');
  await editContact.getByRole('button', { name: tr('crm.save') }).click();
  await expect(page.getByRole('status').filter({ hasText: tr('customer.contactSaved', { name: 'Olli Orbit' }) })).toBeVisible();
  await expect(contact).toContainText('CTO');
  await contact.getByRole('button', { name: tr('crm.editWhat', { what: 'Olli Orbit' }) }).click();
  await editContact.getByRole('button', { name: tr('crm.deleteWhat', { what: 'Olli Orbit' }) }).click();
  await editContact.getByRole('button', { name: tr('crm.confirmDelete') }).click();
  await expect(page.getByRole('status').filter({ hasText: tr('customer.contactDeleted', { name: 'Olli Orbit' }) })).toBeVisible();
  await expect(contact).toHaveCount(0);
  await page.context().close();
});

test('item 2: amounts are read by the locale rules, an ambiguous one is refused in the user’s language, and a CNY tenant shows CNY', async ({ browser }) => {
  const { slug, ann, page } = await workspace(browser, 'crmcny');
  expect((await ann('PATCH', '/settings', { currency: 'CNY' })).status).toBe(200);
  const customer = await ann('POST', '/customers', { name: 'Panda Trading' });
  expect(customer.status).toBe(201);
  // Opened after the change (a running app reads the settings once per sign-in).
  await page.goto(`${API}/app/t/${slug}/deals`);
  await expect(page.getByLabel(tr('money.currency')), "new deals start in the tenant's currency").toHaveValue('CNY');
  const amount = page.getByLabel(tr('deals.amount'), { exact: true });
  const add = async (title: string, typed: string, done = true) => {
    await page.getByLabel(tr('deals.title'), { exact: true }).fill(title);
    await amount.fill(typed);
    const picker = page.getByRole('combobox', { name: tr('deals.customer') });
    if ((await picker.inputValue()) !== 'Panda Trading') {
      await picker.fill('Panda');
      await page.getByRole('option', { name: /Panda Trading/ }).click();
    }
    await page.getByRole('button', { name: tr('deals.addButton') }).click();
    // The next deal is typed once this one is in (the form empties when it is).
    if (done) await expect(page.getByRole('status').filter({ hasText: tr('deals.created', { title }) })).toBeVisible();
  };
  // "1.200": a thousands mark in German, a decimal point in English and Chinese, where
  // it stands before exactly three digits: refused, said on the field, nothing sent.
  await add('Ambiguous', '1.200', false);
  await expect(amount).toHaveAttribute('aria-invalid', 'true');
  await expect(amount).toHaveAccessibleDescription(tr('fieldErrors.money_ambiguous'));
  await shot(page, lang, 'crm-money-ambiguous');
  // More decimals than the currency has: said with the currency and its digits.
  await amount.fill('12.3456');
  await page.getByRole('button', { name: tr('deals.addButton') }).click();
  await expect(amount).toHaveAccessibleDescription(tr('fieldErrors.money_too_many_decimals', { currency: 'CNY', digits: 2 }));
  expect((await ann('GET', '/deals')).body?.items, 'nothing was sent').toEqual([]);

  // Both separator styles read the same: the last mark is the decimal point.
  await add('Comma decimals', '1.234,50');
  await add('Point decimals', '1,234.50');
  // In English and Chinese "," groups thousands, so "1,200" is 1200.
  await add('Grouped', '1,200');
  const cny = (a: number) => literally(money(a, 'CNY'));
  await expect(page.locator('article[data-deal="Comma decimals"]')).toContainText(cny(1234.5));
  await expect(page.locator('article[data-deal="Point decimals"]')).toContainText(cny(1234.5));
  await expect(page.locator('article[data-deal="Grouped"]')).toContainText(cny(1200));
  const deals = (await ann('GET', '/deals?sort=title')).body?.items as unknown as { title: string; amount_cents: number; currency: string }[];
  expect(deals.map((d) => [d.title, d.amount_cents, d.currency])).toEqual([
    ['Comma decimals', 123450, 'CNY'],
    ['Grouped', 120000, 'CNY'],
    ['Point decimals', 123450, 'CNY'],
  ]);
  await expect(page.locator('[data-stage="lead"]'), 'the column total, in CNY').toContainText(cny(3669));
  await shot(page, lang, 'crm-money-cny');
  await page.context().close();
});
