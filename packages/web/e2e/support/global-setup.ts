import { startStack } from './stack.js';

/**
 * Starts the whole stack once for the run and tells the tests where it is through the
 * environment (workers inherit it). The returned function is Playwright's teardown.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const started = Date.now();
  const stack = await startStack();
  process.env.E2E_BASE_URL = stack.webUrl;
  process.env.E2E_ORDERS_API_URL = stack.ordersApiUrl;
  process.env.E2E_PAYMENTS_RELAY_URL = stack.paymentsRelayUrl;
  process.env.E2E_SECURED_BASE_URL = stack.secured.webUrl;
  process.env.E2E_SECURED_ORDERS_API_URL = stack.secured.ordersApiUrl;
  process.env.E2E_JWT_SECRET = stack.secured.jwtSecret;
  process.stdout.write(
    `e2e stack ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ` +
      `web ${stack.webUrl}, orders-api ${stack.ordersApiUrl} (seconds to ready: ` +
      `${JSON.stringify(stack.startup)}; logs in test-results/stack)\n`,
  );
  return async () => {
    await stack.stop();
  };
}
