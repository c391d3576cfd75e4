import { pino, type DestinationStream, type Logger } from 'pino';
import { logContext } from './request-context.js';

/**
 * Structured JSON logs, each line with the request id and trace id of what it was written for;
 * credentials never reach a line. Writes to stdout unless given a destination.
 */
export function createLogger(
  level: string,
  name = 'orders-api',
  destination?: DestinationStream,
): Logger {
  const options = {
    name,
    level,
    mixin: logContext,
    serializers: { err: serializeError },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        'paymentToken',
        '*.paymentToken',
        'input.paymentToken',
        '*.input.paymentToken',
        // Webhook signing secrets: never written by the service, redacted should one slip by.
        'secret',
        '*.secret',
        'secrets',
        '*.secrets',
      ],
      censor: '[redacted]',
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}

/**
 * pino's error serializer, minus the bound values of a failed query: drizzle puts them in
 * `params` and in its message, and they include the payment credential.
 */
export function serializeError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  if (!('params' in serialized)) return serialized;
  const { params: _params, ...rest } = serialized;
  const query = typeof rest.query === 'string' ? rest.query : '';
  const message = `Failed query: ${query}`;
  // The stack repeats the message, values included.
  const stack =
    typeof rest.stack === 'string' ? rest.stack.replace(error.message, message) : undefined;
  return { ...rest, message, stack };
}
