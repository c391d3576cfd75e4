import { createHash } from 'node:crypto';
import {
  canonicalOrderQuery,
  MAX_INT32,
  ORDER_SORT_FIELDS,
  type OrderQuery,
  type OrderSortField,
} from '@oms/order-lifecycle';
import { validate as isUuid } from 'uuid';
import { badInput } from './order-errors.js';

/** Position in a sorted list: the sort key (a time, a total or a number) and id of the last order seen. */
export interface OrderPosition {
  value: Date | number;
  id: string;
}

/**
 * The list a cursor belongs to: its sort field and a digest of its filter, search, sort and
 * caller. A cursor continues only the list it came from; in another it would skip or repeat
 * orders without anyone noticing.
 */
export interface ListBinding {
  field: OrderSortField;
  digest: string;
}

/** `scope`: the customer whose orders the caller sees; null for an admin. */
export function listBinding(query: OrderQuery, scope: string | null): ListBinding {
  const text = `${canonicalOrderQuery(query)}\n${scope === null ? '*' : `customer:${scope}`}`;
  const digest = createHash('sha256').update(text).digest('base64url').slice(0, 16);
  return { field: query.orderBy.field, digest };
}

const isTimeField = (field: OrderSortField) => field === 'CREATED_AT' || field === 'UPDATED_AT';

/** An opaque cursor string; clients must not build these themselves. */
export function encodeCursor(position: OrderPosition, list: ListBinding): string {
  const value = position.value instanceof Date ? position.value.toISOString() : position.value;
  return Buffer.from(`${list.field}|${value}|${position.id}|${list.digest}`).toString('base64url');
}

/**
 * Reads a cursor from the outside world for the list `list`: anything not made by
 * `encodeCursor`, or made for another list, is BAD_USER_INPUT.
 */
export function decodeCursor(value: string, list: ListBinding, field = 'after'): OrderPosition {
  const parts = Buffer.from(value, 'base64url').toString('utf8').split('|');
  const [sortField = '', key = '', id, digest, extra] = parts;
  const sort = ORDER_SORT_FIELDS.find((f) => f === sortField);
  const position = sort === undefined ? null : readKey(sort, key);
  if (
    position === null ||
    sort === undefined ||
    id === undefined ||
    !isUuid(id) ||
    digest === undefined ||
    extra !== undefined
  ) {
    throw badInput([{ field, message: 'is not a cursor returned by this API' }]);
  }
  if (sort !== list.field || digest !== list.digest) {
    throw badInput([
      {
        field,
        message:
          'is a cursor of another list: ask again with the filter, search and sort it came from, or from the first page',
      },
    ]);
  }
  return { value: position, id };
}

function readKey(field: OrderSortField, key: string): Date | number | null {
  if (isTimeField(field)) {
    const at = new Date(key);
    // Only what encodeCursor writes: a UTC instant with milliseconds that PostgreSQL can hold.
    const wellFormed =
      ISO_INSTANT.test(key) &&
      !Number.isNaN(at.getTime()) &&
      at.toISOString() === key &&
      at.getUTCFullYear() >= 1;
    return wellFormed ? at : null;
  }
  if (!/^(0|[1-9]\d{0,9})$/.test(key)) return null;
  const n = Number(key);
  return n <= MAX_INT32 ? n : null;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
