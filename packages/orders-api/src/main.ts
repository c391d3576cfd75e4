import { loadSettings, SettingsError, startOrdersApi } from './app.js';
import { createLogger } from './observability/logger.js';

// Entry point: validate settings, start, and stop gracefully on SIGTERM/SIGINT.
let settings;
try {
  settings = loadSettings(process.env);
} catch (error) {
  if (error instanceof SettingsError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
const log = createLogger(settings.logLevel);
let api;
try {
  api = await startOrdersApi(settings, log);
} catch (error) {
  // Database unreachable, port taken, embedded database in use: one clear line, no stack dump.
  log.fatal({ err: error }, 'orders-api could not start');
  process.exit(1);
}
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    log.info({ signal }, 'shutting down');
    api.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  });
}
