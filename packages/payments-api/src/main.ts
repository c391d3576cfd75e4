import { loadSettings, startPaymentsApi, type PaymentsSettings } from './app.js';
import { createLogger } from './logger.js';

let settings: PaymentsSettings;
try {
  settings = loadSettings(process.env);
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const logger = createLogger(settings);
let api;
try {
  api = await startPaymentsApi(settings, { logger });
} catch (error) {
  logger.fatal({ err: error }, 'payments-api failed to start');
  process.exit(1);
}
logger.info({ url: api.url }, 'payments-api ready');

const running = api;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  // `once`: a second signal falls back to Node's default and ends the process at once.
  process.once(signal, () => {
    logger.info({ signal }, 'payments-api shutting down');
    running.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'payments-api did not shut down cleanly');
        process.exit(1);
      },
    );
  });
}
