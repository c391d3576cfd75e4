// `pnpm build`: dist/main.js, which production runs as `node dist/main.js`.
import { bundleService } from '@oms/build';

if ((await bundleService(import.meta.dirname)).length > 0) process.exitCode = 1;
