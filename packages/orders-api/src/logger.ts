import { pino, type Logger } from 'pino';

/** Structured JSON logs; credentials never reach a line. */
export function createLogger(level: string, name = 'orders-api'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        'paymentToken',
        '*.paymentToken',
        'input.paymentToken',
        '*.input.paymentToken',
      ],
      censor: '[redacted]',
    },
  });
}
