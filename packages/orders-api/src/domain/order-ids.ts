import { v7 as uuidv7, validate as isUuid } from 'uuid';
import { badInput } from './order-errors.js';

/** A new order id: UUIDv7, so ids sort by creation time and index inserts stay local. */
export function newOrderId(): string {
  return uuidv7();
}

/** Checks an id from the outside world; a malformed one is BAD_USER_INPUT naming `field`. */
export function parseOrderId(value: string, field = 'id'): string {
  if (!isUuid(value)) throw badInput([{ field, message: 'must be an order id (a UUID)' }]);
  return value.toLowerCase();
}
