import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';
import { initialJsBudget } from './build/initial-js-budget.js';
import { loadWebServerSettings } from './build/server-env.js';

const settings = loadWebServerSettings();

// Same-origin `/graphql` in development and preview, so the SPA needs no CORS and no URL setting.
const proxy = {
  '/graphql': { target: settings.ordersApiUrl, ws: true, changeOrigin: true },
};

export default defineConfig({
  plugins: [react(), initialJsBudget({ limitKb: 200 })],
  server: { host: settings.host, port: settings.port, strictPort: true, proxy },
  preview: { host: settings.host, port: settings.port, strictPort: true, proxy },
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
  },
});
