// `pnpm build`: dist/main.js, which production runs as `node dist/main.js`.
import { bundleService, PINO_WITHOUT_TRANSPORTS } from '@oms/build';

const errors = await bundleService(import.meta.dirname, {
  selfLocating: {
    ...PINO_WITHOUT_TRANSPORTS,
    // Its default title and version; ours are given, and a failed read is caught.
    '@fastify/swagger': 'reads its package.json by __dirname for a default title, overridden here',
  },
});
if (errors.length > 0) process.exitCode = 1;
