import type { OrderStatus } from '@oms/order-lifecycle';
import type { EventPosition } from './event-cursor.js';
import type { OrderView } from './order.model.js';

/** A committed transition as the transition log gives it: where it is in the log, and what it did. */
export interface OrderLogEntry {
  at: EventPosition;
  orderId: string;
  /** The order's version after this transition (1 for its creation). */
  version: number;
  from: OrderStatus | null;
  to: OrderStatus;
  time: Date;
  reason: string | null;
}

/** A log entry with the order as it was right after it. */
export interface OrderEvent extends OrderLogEntry {
  order: OrderView;
}

/** Which entries of the log a reader wants; null: no restriction of that kind. */
export interface OrderEventFilter {
  orderId: string | null;
  /** Only orders of this customer (a customer's own view); null: every customer's. */
  customerId: string | null;
}

/** What the event use cases need from storage: the log, read in its own order. */
export interface OrderEventLog {
  /**
   * Up to `limit` entries after `after` that pass `filter`, oldest first; fewer (or none) only
   * when every entry committed so far has been read.
   */
  read(after: EventPosition, limit: number, filter: OrderEventFilter): Promise<OrderLogEntry[]>;
}

/** The very beginning of the log: every entry comes after it. */
export const LOG_START: EventPosition = Object.freeze({ xid: '0', position: '0' });
