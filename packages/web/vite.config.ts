import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { initialJsBudget } from './build/initial-js-budget.js';
import { loadWebServerSettings } from './build/server-env.js';

const settings = loadWebServerSettings();

// Same-origin `/graphql` (and the CSV export) in development and preview, so the SPA needs no CORS and no URL setting.
const proxy = {
  '/graphql': { target: settings.ordersApiUrl, ws: true, changeOrigin: true },
  '/orders.csv': { target: settings.ordersApiUrl, changeOrigin: true },
};

export default defineConfig({
  plugins: [react(), initialJsBudget({ limitKb: 200 })],
  server: { host: settings.host, port: settings.port, strictPort: true, proxy },
  preview: { host: settings.host, port: settings.port, strictPort: true, proxy },
  // Dev server only, for the GraphQL IDE's Monaco workers. GraphiQL's worker setup imports them
  // with `?worker`, which the dependency pre-bundler cannot load (the dev server exits), so that
  // module is left out. The workers then load unbundled, and the two CommonJS packages they use
  // must be pre-bundled by name. Not `graphql-language-service` itself: the worker would get a
  // second copy of graphql and refuse the schema.
  optimizeDeps: {
    exclude: ['graphiql/setup-workers/vite', '@graphiql/react/setup-workers/vite'],
    include: [
      'graphiql > @graphiql/react > monaco-graphql > graphql-language-service > nullthrows',
      'graphiql > @graphiql/react > monaco-graphql > picomatch-browser',
    ],
  },
  build: {
    sourcemap: true,
    target: 'es2022',
    // Only the lazily loaded IDE (editor and its workers) is this large; what every visit
    // downloads is held to its budget by initialJsBudget above.
    chunkSizeWarningLimit: 3_000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // GraphiQL's modules start with "use no memo" (a React Compiler hint); bundling drops it harmlessly.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  test: {
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}', 'build/**/*.test.ts'],
    setupFiles: ['./src/test-setup.ts'],
    // Rendering and querying by role in jsdom is CPU work: a test that takes half a second on an
    // idle machine took over five (Vitest's default limit) on two loaded cores. The limit is
    // there to end a hang, not to time the tests.
    testTimeout: 30_000,
  },
});
