import { GraphQLError } from 'graphql';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { OrderError } from '../domain/order-errors.js';
import { createErrorFormatter } from './errors.js';

/** The formatter is the one edge errors leave by, in every NODE_ENV alike. */
describe('createErrorFormatter', () => {
  function formatterWithLog() {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'error' },
      {
        write: (line: string) => {
          lines.push(JSON.parse(line) as Record<string, unknown>);
        },
      },
    );
    return { format: createErrorFormatter(log), lines };
  }

  /** An error thrown inside a resolver, as GraphQL wraps it (with a path). */
  function fromResolver(original: Error): GraphQLError {
    return new GraphQLError(original.message, { path: ['orders'], originalError: original });
  }

  it('answers an unexpected failure with a bare INTERNAL_SERVER_ERROR and logs it once', () => {
    const { format, lines } = formatterWithLog();
    const cause = new Error(
      'Failed query: select * from orders where id = $1\nparams: 42: connect ECONNREFUSED 10.0.0.5:5432',
    );
    const error = fromResolver(cause);
    const formatted = format(error.toJSON(), error);
    expect(formatted).toEqual({
      message: 'Internal server error',
      path: ['orders'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(formatted)).not.toMatch(/select|ECONNREFUSED|stack|\.ts:\d+/i);
    expect(lines).toHaveLength(1);
    expect(lines[0]?.msg).toBe('unexpected error in a GraphQL operation');
  });

  it('keeps an expected failure whole, with its code and details', () => {
    const { format, lines } = formatterWithLog();
    const error = fromResolver(new OrderError('NOT_FOUND', 'No such order', { id: 'x' }));
    expect(format(error.toJSON(), error)).toEqual({
      message: 'No such order',
      path: ['orders'],
      extensions: { code: 'NOT_FOUND', id: 'x' },
    });
    expect(lines).toEqual([]);
  });

  it('never passes on a stack trace, even one GraphQL put in the extensions', () => {
    const { format } = formatterWithLog();
    const error = new GraphQLError('Syntax Error: Unexpected Name "x".', {
      extensions: { code: 'GRAPHQL_PARSE_FAILED' },
    });
    const formatted = format(
      {
        ...error.toJSON(),
        extensions: { code: 'GRAPHQL_PARSE_FAILED', stacktrace: ['at x (a.ts:1:1)'] },
      },
      error,
    );
    expect(formatted.extensions).toEqual({ code: 'GRAPHQL_PARSE_FAILED' });
  });
});
