import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/** Every test again on the embedded database (PGlite) that users get by default. */
export default mergeConfig(base, defineConfig({ test: { env: { TEST_DATABASE_URL: '' } } }));
