// `pnpm build`: dist/main.js, which production runs as `node dist/main.js`.
import { bundleService, PINO_WITHOUT_TRANSPORTS } from '@oms/build';

const errors = await bundleService(import.meta.dirname, { selfLocating: PINO_WITHOUT_TRANSPORTS });
if (errors.length > 0) process.exitCode = 1;
