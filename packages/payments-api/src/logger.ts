import { pino, type DestinationStream, type Logger } from 'pino';
import type { PaymentsSettings } from './config/settings.js';

// Secrets must never reach a log line, whichever object they travel in.
const REDACTED_PATHS = [
  'req.headers.authorization',
  'request.headers.authorization',
  'headers.authorization',
  'authorization',
  'req.body.paymentToken',
  'body.paymentToken',
  'paymentToken',
  '*.paymentToken',
  'apiToken',
  '*.apiToken',
];

/** The service's pino logger, at the configured level, with secrets redacted; stdout by default. */
export function createLogger(
  settings: Pick<PaymentsSettings, 'logLevel'>,
  destination?: DestinationStream,
): Logger {
  const options = {
    name: 'payments-api',
    level: settings.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
