import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests run again on the embedded database (PGlite) that users get by default: those whose
 * subject is the storage itself (every statement of the lifecycle, the job queue, the event
 * log, webhook deliveries, batches, and the data surviving kill -9 and restarts). Input
 * checks, auth, limits, logging and HTTP faults run the same code on either database, so the
 * full run on the PostgreSQL server covers them.
 */
// Spread, not mergeConfig: mergeConfig appends to the base's include list instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/cancel-order.test.ts',
      'test/durability.test.ts',
      'test/group-commit.test.ts',
      'test/idempotency.test.ts',
      'test/job-backlog.test.ts',
      'test/order-events-restart.test.ts',
      'test/order-events.test.ts',
      'test/order-lifecycle.test.ts',
      'test/order-stats.test.ts',
      'test/orders-list.test.ts',
      'test/orders-query.test.ts',
      'test/payment-batches.test.ts',
      'test/seed.test.ts',
      'test/webhooks.test.ts',
    ],
    env: { TEST_DATABASE_URL: '' },
  },
});
