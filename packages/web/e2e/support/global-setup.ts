import type { FullConfig } from '@playwright/test';
import { disposeLeftovers } from '@oms/testing';
import { STACKS_VARIABLE, startStack, type Stack, type StackUrls } from './stack.js';

/**
 * Starts one whole stack per Playwright worker, each on its own databases, so tests in parallel
 * never see one another's orders, and tells the workers where they are through the environment
 * (workers inherit it; each picks its own by its parallel index). The returned function is
 * Playwright's teardown.
 */
export default async function globalSetup(config: FullConfig): Promise<() => Promise<void>> {
  const started = Date.now();
  const starts = await Promise.allSettled(
    Array.from({ length: config.workers }, (_, worker) => startStack(`worker-${worker}`)),
  );
  const stacks = starts.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = starts.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(stacks.map((stack) => stack.stop()));
    await disposeLeftovers();
    throw failed.reason;
  }
  process.env[STACKS_VARIABLE] = JSON.stringify(stacks.map(urlsOf));
  process.stdout.write(
    `e2e: ${stacks.length} stack(s) ready in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(seconds to ready: ${JSON.stringify(stacks.map((s) => s.startup))}; logs in test-results/stack)\n`,
  );
  return async () => {
    await Promise.all(stacks.map((stack) => stack.stop()));
  };
}

function urlsOf(stack: Stack): StackUrls {
  const { webUrl, ordersApiUrl, paymentsRelayUrl, secured } = stack;
  return { webUrl, ordersApiUrl, paymentsRelayUrl, secured };
}
