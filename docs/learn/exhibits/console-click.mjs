// Chapter 7's click: signs in to the operator console in a headless Chromium and presses
// "Create tenant" for the slug given, as an operator would, then waits for the console to
// say the tenant is ready. Uses playwright-core from web/node_modules (scripts/up installs
// it) and Debian's chromium (apt-get install chromium).
//   node docs/learn/exhibits/console-click.mjs learn_click
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../../web/package.json', import.meta.url));
const { chromium } = require('playwright-core');

const slug = process.argv[2];
const console_ = process.env.CONSOLE || 'http://127.0.0.1:8090';
if (!slug) {
  console.error('usage: node docs/learn/exhibits/console-click.mjs SLUG');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const page = await (await browser.newContext({ locale: 'en-US' })).newPage();
  await page.goto(`${console_}/console`);
  await page.getByLabel('Email').fill('admin@atrium.local');
  await page.getByLabel('Password').fill('dev-only-insecure-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Slug').fill(slug);
  await page.locator('#new-plan').selectOption('pro');
  const started = Date.now();
  await page.getByRole('button', { name: 'Create tenant' }).click();
  await page.getByText(`Tenant ${slug} created.`).waitFor({ timeout: 30_000 });
  console.log(`clicked "Create tenant": ${slug} is ready after ${Date.now() - started} ms`);
} finally {
  await browser.close();
}
