import { defineConfig, devices } from '@playwright/test';
import { CHROMIUM_ARGS, chromiumForRun } from './e2e/support/browser.js';

/**
 * End-to-end tests in Chromium against the real orders-api and payments-api. Global setup
 * finds (or gets) a Chromium (e2e/support/browser-setup.ts), then starts a whole stack per worker
 * on free ports (e2e/support/stack.ts); the SPA must be built first (`pnpm test:e2e` does both).
 */
export default defineConfig({
  testDir: 'e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results/e2e',
  globalSetup: ['./e2e/support/browser-setup.ts', './e2e/support/global-setup.ts'],
  forbidOnly: !!process.env.CI,
  // A flaky test is a bug to fix, not to retry.
  retries: 0,
  // Each worker gets a whole stack of its own (global-setup.ts), so more workers are safe where
  // there are cores for them (`--workers=N`). On two cores one worker: beside the other test
  // suites, a second browser saturated the machine until pages missed their 10 s expectations.
  workers: 1,
  fullyParallel: false,
  // A test takes 2-7 s on an idle machine; the margins are for a busy CI box (a load of 10 on
  // two cores tripled some times), and the global limit ends a run that hangs.
  timeout: 60_000,
  globalTimeout: 10 * 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    ...devices['Desktop Chrome'],
    locale: 'en-US',
    timezoneId: 'UTC',
    actionTimeout: 10_000,
    navigationTimeout: 15_000,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    // Read by the workers, which start after browser-setup.ts has set it.
    launchOptions: { executablePath: chromiumForRun(), args: [...CHROMIUM_ARGS] },
  },
  projects: [{ name: 'chromium' }],
});
