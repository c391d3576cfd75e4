import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // graphql 16 ships CommonJS and ESM copies; Node (and so type-graphql and graphql-ws) loads
    // the CommonJS one. Vite would hand our own files the ESM copy, and a schema from one copy
    // is refused by the other ("another module or realm"), so everything uses Node's.
    alias: [{ find: /^graphql$/, replacement: require.resolve('graphql') }],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration files start servers and databases; two cores run two files at a time.
    maxWorkers: 2,
    // Files in one worker share its module cache: loading the server's modules (Apollo,
    // type-graphql, drizzle, PGlite) anew took about 3.5 s per file, more than most files'
    // tests. Nothing else is shared: each file starts its own servers on its own database.
    isolate: false,
  },
});
