import fc from 'fast-check';
import { EMPTY_ORDER_QUERY } from '@oms/order-lifecycle';
import { describe, expect, it } from 'vitest';
import { compareEventPositions, decodeEventCursor, encodeEventCursor } from './event-cursor.js';
import { encodeCursor, listBinding } from './order-cursor.js';
import { OrderError } from './order-errors.js';

const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }).map(String);
const position = fc.record({ xid: u64, position: u64 });

describe('event cursors', () => {
  it('round-trip every position', () => {
    fc.assert(
      fc.property(position, (at) => {
        expect(decodeEventCursor(encodeEventCursor(at))).toEqual(at);
      }),
    );
  });

  it('compare as strings in the order of the log', () => {
    fc.assert(
      fc.property(position, position, (a, b) => {
        const byString = Math.sign(encodeEventCursor(a).localeCompare(encodeEventCursor(b)));
        expect(byString).toBe(compareEventPositions(a, b));
      }),
    );
  });

  it("refuse what this API did not make, naming the argument, an order page's cursor included", () => {
    const pageCursor = encodeCursor(
      { value: new Date('2026-01-01T00:00:00.000Z'), id: '7d0f1c52-4d4c-4c1a-9a39-3f0b7a2f1e10' },
      listBinding(EMPTY_ORDER_QUERY, null),
    );
    for (const bad of [
      '',
      'ev1_',
      'ev1_xyz',
      `ev1_${'0'.repeat(31)}`,
      `ev1_${'0'.repeat(33)}`,
      `EV1_${'0'.repeat(32)}`,
      pageCursor,
    ]) {
      let refused: unknown;
      try {
        decodeEventCursor(bad, 'after');
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(OrderError);
      expect((refused as OrderError).code).toBe('BAD_USER_INPUT');
      expect((refused as OrderError).details['field']).toBe('after');
    }
  });
});
