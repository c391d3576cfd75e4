import { decodeEventCursor, encodeEventCursor, type EventPosition } from './event-cursor.js';
import { badInput } from './order-errors.js';
import {
  LOG_START,
  type OrderEvent,
  type OrderEventFilter,
  type OrderEventLog,
  type OrderLogEntry,
} from './order-event.js';
import { parseOrderId } from './order-ids.js';
import { orderAtVersion, type OrderView } from './order.model.js';
import type { Principal } from './principal.js';

/** Largest page of events a client may ask for, and the page it gets when it does not say. */
export const MAX_EVENT_PAGE_SIZE = 500;
export const DEFAULT_EVENT_PAGE_SIZE = 100;

/** One page of the log, oldest first. */
export interface OrderEventPage {
  events: OrderEvent[];
  cursors: string[];
  hasNextPage: boolean;
}

/** A subscription's arguments, checked: where it resumes (null: from now) and what it sees. */
export interface EventSubscriptionRequest {
  after: EventPosition | null;
  filter: OrderEventFilter;
}

/** Reads orders with items and history, in the order of `ids` (missing ones skipped). */
export type FindOrders = (ids: readonly string[]) => Promise<OrderView[]>;

/**
 * Log entries with the order as of each, from one read of the orders they name. An entry whose
 * order (or whose transition in its history) cannot be found is passed to `onMissing` and left
 * out: history is append-only and kept, so that means a bug, not a race.
 */
export async function withOrders(
  entries: readonly OrderLogEntry[],
  findMany: FindOrders,
  onMissing: (entry: OrderLogEntry) => void = () => undefined,
): Promise<OrderEvent[]> {
  if (entries.length === 0) return [];
  const orders = await findMany([...new Set(entries.map((e) => e.orderId))]);
  const byId = new Map(orders.map((o) => [o.id, o]));
  const events: OrderEvent[] = [];
  for (const entry of entries) {
    const order = byId.get(entry.orderId);
    const snapshot = order === undefined ? null : orderAtVersion(order, entry.version);
    if (snapshot === null) onMissing(entry);
    else events.push({ ...entry, order: snapshot });
  }
  return events;
}

/** The log filter a principal reads through: a customer only ever sees their own orders. */
export function eventFilterFor(principal: Principal, orderId: string | null): OrderEventFilter {
  return { orderId, customerId: principal.admin ? null : principal.customerId };
}

/**
 * Every transition as an event with a cursor, in the log's order. Another customer's order is
 * treated as one that does not exist: its events are simply not there for the caller.
 */
export class OrderEventsService {
  constructor(
    private readonly log: OrderEventLog,
    private readonly findMany: FindOrders,
  ) {}

  /** Up to `first` events strictly after `after` (from the start when absent), oldest first. */
  async page(
    principal: Principal,
    first: number | null | undefined,
    after: string | null | undefined,
    orderId: string | null | undefined,
  ): Promise<OrderEventPage> {
    const size = first ?? DEFAULT_EVENT_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_EVENT_PAGE_SIZE) {
      throw badInput([{ field: 'first', message: `must be between 1 and ${MAX_EVENT_PAGE_SIZE}` }]);
    }
    const from = after === null || after === undefined ? LOG_START : decodeEventCursor(after);
    const id = orderId === null || orderId === undefined ? null : parseOrderId(orderId, 'orderId');
    const entries = await this.log.read(from, size + 1, eventFilterFor(principal, id));
    const events = await withOrders(entries.slice(0, size), this.findMany);
    return {
      events,
      cursors: events.map((e) => encodeEventCursor(e.at)),
      hasNextPage: entries.length > size,
    };
  }

  /** Checks a subscription's arguments (BAD_USER_INPUT naming `id` or `after`). */
  subscription(
    principal: Principal,
    id: string | null | undefined,
    after: string | null | undefined,
  ): EventSubscriptionRequest {
    const orderId = id === null || id === undefined ? null : parseOrderId(id, 'id');
    return {
      after: after === null || after === undefined ? null : decodeEventCursor(after),
      filter: eventFilterFor(principal, orderId),
    };
  }
}
