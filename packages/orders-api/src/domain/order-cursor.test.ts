import { EMPTY_ORDER_QUERY, type OrderQuery } from '@oms/order-lifecycle';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, listBinding, type ListBinding } from './order-cursor.js';
import { OrderError } from './order-errors.js';

const ID = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const base64url = (text: string): string => Buffer.from(text).toString('base64url');
const NEWEST = listBinding(EMPTY_ORDER_QUERY, null);
/** A cursor's text for the newest-first list as an admin sees it, parts as given. */
const raw = (key: string, id = ID, list: ListBinding = NEWEST) =>
  base64url(`${list.field}|${key}|${id}|${list.digest}`);

/** The error `decodeCursor` throws for `value`; fails the test if it accepts it. */
function refusal(value: string, field?: string, list: ListBinding = NEWEST): OrderError {
  try {
    decodeCursor(value, list, field);
  } catch (error) {
    if (error instanceof OrderError) return error;
    throw error;
  }
  throw new Error(`cursor ${JSON.stringify(value)} was accepted`);
}

describe('order cursors', () => {
  it('decodes what it encodes, to the millisecond', () => {
    const cursor = { value: new Date('2024-03-05T10:11:12.345Z'), id: ID };
    const encoded = encodeCursor(cursor, NEWEST);
    expect(encoded).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(encoded, NEWEST)).toEqual(cursor);
  });

  it('decodes totals and numbers for lists sorted by them', () => {
    for (const field of ['TOTAL', 'NUMBER'] as const) {
      const list = listBinding(
        { ...EMPTY_ORDER_QUERY, orderBy: { field, direction: 'ASC' } },
        null,
      );
      const cursor = { value: 2_147_483_647, id: ID };
      expect(decodeCursor(encodeCursor(cursor, list), list)).toEqual(cursor);
      expect(refusal(raw('2147483648', ID, list), 'after', list).code).toBe('BAD_USER_INPUT');
      expect(refusal(raw('-1', ID, list), 'after', list).code).toBe('BAD_USER_INPUT');
      expect(refusal(raw('1.5', ID, list), 'after', list).code).toBe('BAD_USER_INPUT');
    }
  });

  it('gives different positions different cursors', () => {
    const at = new Date('2024-03-05T10:11:12.345Z');
    const other = '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
    const cursors = new Set([
      encodeCursor({ value: at, id: ID }, NEWEST),
      encodeCursor({ value: at, id: other }, NEWEST),
      encodeCursor({ value: new Date(at.getTime() + 1), id: ID }, NEWEST),
    ]);
    expect(cursors.size).toBe(3);
  });

  it('refuses a cursor of another list: another filter, search, sort or caller', () => {
    const cursor = encodeCursor({ value: new Date('2024-03-05T10:11:12.345Z'), id: ID }, NEWEST);
    const others: [string, OrderQuery, string | null][] = [
      ['a filter', { ...EMPTY_ORDER_QUERY, filter: { status: ['CREATED'] } }, null],
      ['a search', { ...EMPTY_ORDER_QUERY, search: 'mug' }, null],
      [
        'a direction',
        { ...EMPTY_ORDER_QUERY, orderBy: { field: 'CREATED_AT', direction: 'ASC' } },
        null,
      ],
      ['a customer', EMPTY_ORDER_QUERY, 'cust-1'],
    ];
    for (const [label, query, scope] of others) {
      const error = refusal(cursor, 'after', listBinding(query, scope));
      expect(error.code, label).toBe('BAD_USER_INPUT');
      expect(error.details.fields, label).toEqual([
        { field: 'after', message: expect.stringContaining('another list') as unknown },
      ]);
    }
    // The same list written differently is the same list.
    const same = listBinding({ ...EMPTY_ORDER_QUERY, filter: { status: [] }, search: ' ' }, null);
    expect(decodeCursor(cursor, same).id).toBe(ID);
  });

  it.each([
    ['an empty string', ''],
    ['plain text', 'not-a-cursor'],
    ['characters outside base64url', '!!!***'],
    ['a time without an id', base64url('CREATED_AT|2024-03-05T10:11:12.345Z')],
    ['an id that is not a UUID', raw('2024-03-05T10:11:12.345Z', '42')],
    ['a time that is not a time', raw('yesterday')],
    ['an empty time', raw('')],
    ['an unknown sort field', base64url(`PRICE|1|${ID}|${NEWEST.digest}`)],
    ['no list digest', base64url(`CREATED_AT|2024-03-05T10:11:12.345Z|${ID}`)],
    ['an extra part', base64url(`CREATED_AT|2024-03-05T10:11:12.345Z|${ID}|${NEWEST.digest}|x`)],
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
      expect(refusal(raw(time)).code, time).toBe('BAD_USER_INPUT');
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
      expect(refusal(raw(time)).code, time).toBe('BAD_USER_INPUT');
    }
  });
});
