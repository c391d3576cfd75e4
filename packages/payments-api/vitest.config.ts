import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Integration tests start a server and a database per file; PGlite needs seconds to boot.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
