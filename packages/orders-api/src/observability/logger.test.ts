import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { serializeError } from './logger.js';

/** What drizzle throws for a failed query: the SQL, its bound values, and the driver's cause. */
class QueryError extends Error {
  constructor(
    readonly query: string,
    readonly params: unknown[],
    override readonly cause: Error,
  ) {
    super(`Failed query: ${query}\nparams: ${params.join(',')}`);
  }
}

describe('error serializer', () => {
  it('keeps the SQL and the cause of a failed query but none of its bound values', () => {
    const error = new QueryError(
      'insert into orders (payment_token) values ($1)',
      ['tok_secret_4242'],
      new Error('invalid byte sequence'),
    );
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    pino({ serializers: { err: serializeError } }, sink).error({ err: error }, 'failed');
    const line = lines.join('');
    expect(line).toContain('insert into orders');
    expect(line).toContain('invalid byte sequence');
    expect(line).not.toContain('tok_secret_4242');
  });

  it('leaves other errors as pino serializes them', () => {
    const serialized = serializeError(new Error('plain')) as { message: string; stack: string };
    expect(serialized.message).toBe('plain');
    expect(serialized.stack).toContain('Error: plain');
  });
});
