import { test as base, expect } from '@playwright/test';
import { releaseHeldCharge } from '@oms/testing/payments-relay';
import { OrdersApi } from './orders-api.js';
import { HELD_PAYMENT_TOKEN, STACKS_VARIABLE, type StackUrls } from './stack.js';
import { signToken, type TokenClaims } from './tokens.js';

export { expect };
export { HELD_PAYMENT_TOKEN };

/**
 * How long the UI may take to show what the server did: a payment (mock latency up to 800 ms)
 * plus the delivery delay (3 s, see stack.ts), with room for a slow machine.
 */
export const LIVE_TIMEOUT = 15_000;

/** The payments relay in front of payments-api (see stack.ts) as the tests drive it. */
export interface PaymentsRelayClient {
  /** Lets an order's held charge go on; it is then approved. */
  release(orderId: string): Promise<void>;
}

interface Fixtures {
  /** orders-api over HTTP, for each test's own data. */
  api: OrdersApi;
  /** Releases charges made with HELD_PAYMENT_TOKEN. */
  payments: PaymentsRelayClient;
  /**
   * The orders-api that runs with per-customer access, and its SPA: a token for any customer,
   * and that orders-api as the token's holder.
   */
  secured: {
    webUrl: string;
    token: (claims: TokenClaims) => string;
    apiAs: (token: string | null) => OrdersApi;
  };
  /** Saves a full-page screenshot of the page as it is now to the test output, and attaches it. */
  saveScreenshot: (name: string) => Promise<void>;
}

/** The stack started for the worker with this parallel index (see global-setup.ts). */
function stackFor(parallelIndex: number): StackUrls {
  const value = process.env[STACKS_VARIABLE];
  if (value === undefined || value === '') {
    throw new Error(
      `${STACKS_VARIABLE} is not set: the stacks are started by e2e/support/global-setup.ts`,
    );
  }
  const stack = (JSON.parse(value) as StackUrls[])[parallelIndex];
  if (stack === undefined) throw new Error(`no stack was started for worker ${parallelIndex}`);
  return stack;
}

// The second argument of a fixture is Playwright's `use`; it is called `provide` here so the
// React hooks lint rule, which applies to this package, does not mistake it for React's `use`.
export const test = base.extend<Fixtures, { stack: StackUrls }>({
  // This worker's own stack; known only once global setup has started it, after the config was read.
  stack: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, provide, workerInfo) => {
      await provide(stackFor(workerInfo.parallelIndex));
    },
    { scope: 'worker' },
  ],
  baseURL: async ({ stack }, provide) => {
    await provide(stack.webUrl);
  },
  api: async ({ stack }, provide) => {
    await provide(new OrdersApi(stack.ordersApiUrl));
  },
  payments: async ({ stack }, provide) => {
    await provide({ release: (orderId) => releaseHeldCharge(stack.paymentsRelayUrl, orderId) });
  },
  secured: async ({ stack }, provide) => {
    const { webUrl, ordersApiUrl, jwtSecret } = stack.secured;
    await provide({
      webUrl,
      token: (claims) => signToken(jwtSecret, claims),
      apiAs: (token) => new OrdersApi(ordersApiUrl, token),
    });
  },
  saveScreenshot: async ({ page }, provide, testInfo) => {
    await provide(async (name) => {
      const path = testInfo.outputPath(`${name}.png`);
      await page.screenshot({ path, fullPage: true });
      await testInfo.attach(name, { path, contentType: 'image/png' });
    });
  },
});
