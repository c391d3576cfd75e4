import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLError, GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { OrderError } from '../domain/order-errors.js';

/**
 * The one place errors leave the service. Expected failures keep their code and details;
 * errors GraphQL itself raised about the request (syntax, validation, variable coercion, limits)
 * are the client's and keep theirs; anything else is logged once with its context and answered
 * as INTERNAL_SERVER_ERROR with no internals.
 */
export function createErrorFormatter(log: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof OrderError) {
      return {
        message: original.message,
        ...(formatted.locations ? { locations: formatted.locations } : {}),
        ...(formatted.path ? { path: formatted.path } : {}),
        extensions: { code: original.code, ...original.details },
      };
    }
    // Errors about the request itself have no path; with a path they arose while executing.
    // Apollo wraps graphql's own errors (UserInputError, ValidationError) around the original.
    if (
      isGraphQLError(original) &&
      (original.originalError === undefined || isGraphQLError(original.originalError)) &&
      formatted.path === undefined
    ) {
      const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
      const code =
        typeof extensions.code === 'string' ? extensions.code : 'GRAPHQL_VALIDATION_FAILED';
      const field = code === 'BAD_USER_INPUT' ? fieldOfCoercionError(formatted.message) : undefined;
      return {
        ...formatted,
        extensions: { ...extensions, code, ...(field === undefined ? {} : { field }) },
      };
    }
    log.error({ err: original, path: formatted.path }, 'unexpected error in a GraphQL operation');
    return {
      message: 'Internal server error',
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    };
  };
}

/**
 * graphql 16 ships CommonJS and ESM copies, and an error from one is not an `instanceof` the
 * other's class; its string tag is the same in both.
 */
function isGraphQLError(value: unknown): value is GraphQLError {
  return Object.prototype.toString.call(value) === '[object GraphQLError]';
}

/**
 * The field named by graphql-js's variable coercion errors, e.g.
 * `Variable "$input" got invalid value 12.5 at "input.items[0].unitPrice"; ...`.
 */
export function fieldOfCoercionError(message: string): string | undefined {
  const match = /^Variable "\$([^"]+)" got invalid value .*? at "([^"]+)"/s.exec(message);
  if (match?.[2] !== undefined) return match[2];
  return /^Variable "\$([^"]+)"/.exec(message)?.[1];
}

/** Applies the formatter to errors produced outside Apollo (the WebSocket transport). */
export function formatForTransport(
  format: ReturnType<typeof createErrorFormatter>,
  errors: readonly GraphQLError[],
): GraphQLFormattedError[] {
  return errors.map((e) => format(e.toJSON(), e));
}
