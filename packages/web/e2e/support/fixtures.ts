import { test as base, expect } from '@playwright/test';
import { releaseHeldCharge } from '@oms/testing/payments-relay';
import { OrdersApi } from './orders-api.js';
import { HELD_PAYMENT_TOKEN } from './stack.js';
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

type StackVariable =
  | 'E2E_BASE_URL'
  | 'E2E_ORDERS_API_URL'
  | 'E2E_PAYMENTS_RELAY_URL'
  | 'E2E_SECURED_BASE_URL'
  | 'E2E_SECURED_ORDERS_API_URL'
  | 'E2E_JWT_SECRET';

function stackUrl(name: StackVariable): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: the stack is started by e2e/support/global-setup.ts`);
  }
  return value;
}

// The second argument of a fixture is Playwright's `use`; it is called `provide` here so the
// React hooks lint rule, which applies to this package, does not mistake it for React's `use`.
export const test = base.extend<Fixtures>({
  // Known only once global setup has started the stack, after the config was read.
  // eslint-disable-next-line no-empty-pattern
  baseURL: async ({}, provide) => {
    await provide(stackUrl('E2E_BASE_URL'));
  },
  // eslint-disable-next-line no-empty-pattern
  api: async ({}, provide) => {
    await provide(new OrdersApi(stackUrl('E2E_ORDERS_API_URL')));
  },
  // eslint-disable-next-line no-empty-pattern
  payments: async ({}, provide) => {
    const relayUrl = stackUrl('E2E_PAYMENTS_RELAY_URL');
    await provide({ release: (orderId) => releaseHeldCharge(relayUrl, orderId) });
  },
  // eslint-disable-next-line no-empty-pattern
  secured: async ({}, provide) => {
    const secret = stackUrl('E2E_JWT_SECRET');
    const apiUrl = stackUrl('E2E_SECURED_ORDERS_API_URL');
    await provide({
      webUrl: stackUrl('E2E_SECURED_BASE_URL'),
      token: (claims) => signToken(secret, claims),
      apiAs: (token) => new OrdersApi(apiUrl, token),
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
