import { badInput } from './order-errors.js';

/**
 * A place in the transition log: the committing transaction's id (xid8) and the row's position,
 * both non-negative 64-bit integers as decimal strings. The log is read in (xid, position) order.
 */
export interface EventPosition {
  xid: string;
  position: string;
}

const PREFIX = 'ev1_';
const HEX64 = 16;
const MAX_U64 = (1n << 64n) - 1n;
const SHAPE = /^ev1_[0-9a-f]{32}$/;

/**
 * The public cursor of an event: fixed-width hex of (xid, position) behind a version prefix, so
 * cursors compare as strings in the log's own order, and a cursor of another kind (an order
 * list's page cursor, say) is told apart at once. Clients must treat it as opaque.
 */
export function encodeEventCursor(at: EventPosition): string {
  return `${PREFIX}${hex(at.xid)}${hex(at.position)}`;
}

/** Reads a cursor from the outside world; anything `encodeEventCursor` did not make is BAD_USER_INPUT. */
export function decodeEventCursor(value: string, field = 'after'): EventPosition {
  if (!SHAPE.test(value)) {
    throw badInput([{ field, message: 'is not an event cursor returned by this API' }]);
  }
  const digits = value.slice(PREFIX.length);
  return {
    xid: BigInt(`0x${digits.slice(0, HEX64)}`).toString(),
    position: BigInt(`0x${digits.slice(HEX64)}`).toString(),
  };
}

/** Compares two positions in log order: negative when `a` comes first. */
export function compareEventPositions(a: EventPosition, b: EventPosition): number {
  const x = BigInt(a.xid) - BigInt(b.xid);
  if (x !== 0n) return x < 0n ? -1 : 1;
  const p = BigInt(a.position) - BigInt(b.position);
  return p === 0n ? 0 : p < 0n ? -1 : 1;
}

function hex(decimal: string): string {
  const n = BigInt(decimal);
  if (n < 0n || n > MAX_U64) throw new RangeError(`not a 64-bit log position: ${decimal}`);
  return n.toString(16).padStart(HEX64, '0');
}
