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
  const [iso, id, extra] = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(iso ?? '');
  if (extra !== undefined || id === undefined || !isUuid(id) || Number.isNaN(createdAt.getTime())) {
    throw badInput([{ field, message: 'is not a cursor returned by this API' }]);
  }
  return { createdAt, id };
}
