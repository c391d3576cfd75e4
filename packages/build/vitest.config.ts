import { defineConfig } from 'vitest/config';

// Each test bundles a fixture service with esbuild: CPU work that took up to a second on two
// busy cores. The limit is there to end a hang, not to time the tests.
export default defineConfig({ test: { testTimeout: 30_000 } });
