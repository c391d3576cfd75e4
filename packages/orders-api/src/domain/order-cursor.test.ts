import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './order-cursor.js';
import { OrderError } from './order-errors.js';

const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const base64url = (text: string): string => Buffer.from(text).toString('base64url');

/** The error `decodeCursor` throws for `value`; fails the test if it accepts it. */
function refusal(value: string, field?: string): OrderError {
  try {
    decodeCursor(value, field);
  } catch (error) {
    if (error instanceof OrderError) return error;
    throw error;
  }
  throw new Error(`cursor ${JSON.stringify(value)} was accepted`);
}

describe('order cursors', () => {
  it('decodes what it encodes, to the millisecond', () => {
    const cursor = { createdAt: new Date('2024-03-05T10:11:12.345Z'), id: ID };
    const encoded = encodeCursor(cursor);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded)).toEqual(cursor);
  });

  it('gives different positions different cursors', () => {
    const at = new Date('2024-03-05T10:11:12.345Z');
    const other = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
    const cursors = new Set([
      encodeCursor({ createdAt: at, id: ID }),
      encodeCursor({ createdAt: at, id: other }),
      encodeCursor({ createdAt: new Date(at.getTime() + 1), id: ID }),
    ]);
    expect(cursors.size).toBe(3);
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'not-a-cursor'],
    ['characters outside base64url', '!!!***'],
    ['a time without an id', base64url('2024-03-05T10:11:12.345Z')],
    ['an id that is not a UUID', base64url('2024-03-05T10:11:12.345Z|42')],
    ['a time that is not a time', base64url(`yesterday|${ID}`)],
    ['an empty time', base64url(`|${ID}`)],
    ['an extra part', base64url(`2024-03-05T10:11:12.345Z|${ID}|x`)],
  ])('refuses %s as BAD_USER_INPUT on `after`', (_label, value) => {
    const error = refusal(value);
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.details).toEqual({
      field: 'after',
      fields: [{ field: 'after', message: 'is not a cursor returned by this API' }],
    });
  });

  it('names the argument it was given', () => {
    expect(refusal('garbage', 'before').details.field).toBe('before');
  });

  // The contract (see decodeCursor's doc comment) is that only strings this API handed out are
  // accepted; these times are not in the form encodeCursor writes.
  it('refuses a time not written the way encodeCursor writes it', () => {
    for (const time of ['1', '2024-03-05', 'Tue Mar 05 2024', '2024-03-05T10:11:12Z']) {
      expect(refusal(base64url(`${time}|${ID}`)).code, time).toBe('BAD_USER_INPUT');
    }
  });

  // No order can have been created at these times (PostgreSQL's timestamptz has no year 0 and
  // cannot parse signed six-digit years), so no cursor handed out can hold them; the database
  // must never be asked to compare against them.
  it('refuses a time outside what an order can have been created at', () => {
    for (const time of [
      '0000-01-01T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
    ]) {
      expect(refusal(base64url(`${time}|${ID}`)).code, time).toBe('BAD_USER_INPUT');
    }
  });
});
