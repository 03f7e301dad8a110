import { defineConfig } from '@playwright/test';

// The browser tests run against the stack scripts/web-test starts (its URLs come in the
// environment), in Debian's Chromium: Playwright's own browser builds can't be downloaded.
export default defineConfig({
  testDir: 'tests',
  outputDir: 'test-results',
  // One stack, and cases that build on each other: one worker, in file order.
  workers: 1,
  retries: 0,
  timeout: 180_000,
  expect: { timeout: 30_000 },
  reporter: [['list'], ['json', { outputFile: 'test-results/results.json' }]],
  use: {
    actionTimeout: 30_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    },
  },
});
