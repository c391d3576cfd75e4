import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The tests run again on the embedded database (PGlite) that users get by default: those whose
 * subject is the storage (charges under one key, batches, refunds and voids, lookups). Input
 * checks and logging run the same code on either database.
 */
// Spread, not mergeConfig: mergeConfig appends to the base's include list instead of replacing it.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'test/batch-charges.test.ts',
      'test/charges.test.ts',
      'test/payment-lookup.test.ts',
      'test/refunds-and-voids.test.ts',
    ],
    env: { TEST_DATABASE_URL: '' },
  },
});
