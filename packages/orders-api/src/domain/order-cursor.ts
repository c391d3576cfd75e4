import { validate as isUuid } from 'uuid';
import { badInput } from './order-errors.js';

/** Position in the newest-first list: the (createdAt, id) of the last order seen. */
export interface OrderCursor {
  createdAt: Date;
  id: string;
}

/** An opaque cursor string; clients must not build these themselves. */
export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString('base64url');
}

/** Reads a cursor from the outside world; anything not made by `encodeCursor` is BAD_USER_INPUT. */
export function decodeCursor(value: string, field = 'after'): OrderCursor {
  const [iso = '', id, extra] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso);
  // Only what encodeCursor writes: a UTC instant with milliseconds that PostgreSQL can hold.
  const wellFormed =
    ISO_INSTANT.test(iso) &&
    !Number.isNaN(createdAt.getTime()) &&
    createdAt.toISOString() === iso &&
    createdAt.getUTCFullYear() >= 1;
  if (!wellFormed || extra !== undefined || id === undefined || !isUuid(id)) {
    throw badInput([{ field, message: 'is not a cursor returned by this API' }]);
  }
  return { createdAt, id };
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
