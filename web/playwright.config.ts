import { defineConfig } from '@playwright/test';

// The browser tests run against the stack scripts/web-test starts (its URLs come in the
// environment), in Debian's Chromium: Playwright's own browser builds can't be downloaded.
// Every case runs once per language: the browser's language picks the app's, and the
// cases read the screen through the same catalogues (tests/i18n.ts).
export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results',
  // One stack, and cases that build on each other: one worker, in file order, one
  // language after the other (each with its own tenants and people).
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    actionTimeout: 30_000,
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
  },
  projects: [
    { name: 'en', use: { locale: 'en-US' } },
    { name: 'zh-CN', use: { locale: 'zh-CN' } },
  ],
});
