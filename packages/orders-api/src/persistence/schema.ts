import { FOLLOW_UPS, ORDER_STATUSES } from '@oms/order-lifecycle';
import { relations, sql } from 'drizzle-orm';
import {
  bigint,
  char,
  check,
  customType,
  index,
  integer,
  pgEnum,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uuid,
} from 'drizzle-orm/pg-core';

export const orderStatus = pgEnum('order_status', ORDER_STATUSES);
export const orderFollowUp = pgEnum('order_follow_up', FOLLOW_UPS);

// Millisecond precision so a timestamp survives a round trip through a JS Date (cursors use it).
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: 'date' });

/**
 * One row per order. The row is also its own durable job: `next_action` is the pending background
 * work (pay, deliver, release the payment) and `next_action_at` when it is due, so nothing waits
 * in a process's memory and any process may pick it up (`FOR UPDATE SKIP LOCKED`).
 */
export const orders = pgTable(
  'orders',
  {
    id: uuid('id').primaryKey(),
    status: orderStatus('status').notNull(),
    currency: char('currency', { length: 3 }).notNull(),
    total: integer('total').notNull(),
    cancellationReason: text('cancellation_reason'),
    /** The mocked payment credential; erased once the payment has an answer. */
    paymentToken: text('payment_token'),
    paymentId: text('payment_id'),
    /** How many payment calls were started; more than zero means money may have moved. */
    paymentAttempts: integer('payment_attempts').notNull().default(0),
    /**
     * The token subject (`sub`) of the customer who created it; rows from before per-customer
     * access, and every order made without it, belong to `demo-customer`.
     */
    customerId: text('customer_id').notNull().default('demo-customer'),
    /** Unique per customer (see the constraint below), never across customers. */
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    nextAction: orderFollowUp('next_action'),
    nextActionAt: ts('next_action_at'),
    /** Attempts at the current next_action, for backoff. */
    attempts: integer('attempts').notNull().default(0),
    /** Set by the worker that claimed the current action; a stale worker cannot reschedule it. */
    claimToken: uuid('claim_token'),
    /**
     * W3C `traceparent` of the request that created the order: its background work (payment,
     * refund) continues that trace, in whichever process picks it up.
     */
    traceParent: text('trace_parent'),
    /** Number of transitions so far; the seq of the latest history row. */
    version: integer('version').notNull().default(1),
    createdAt: ts('created_at')
      .notNull()
      .default(sql`now()`),
    updatedAt: ts('updated_at')
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    index('orders_due_idx')
      .on(t.nextActionAt)
      .where(sql`${t.nextAction} is not null`),
    index('orders_newest_idx').on(t.createdAt.desc(), t.id.desc()),
    index('orders_status_newest_idx').on(t.status, t.createdAt.desc(), t.id.desc()),
    // A customer's own list, newest first.
    index('orders_customer_newest_idx').on(t.customerId, t.createdAt.desc(), t.id.desc()),
    // Per customer: another customer's key neither collides with nor reveals this one's order.
    unique('orders_customer_idempotency_key_key').on(t.customerId, t.idempotencyKey),
    // The database refuses what the application should never write, as a second line of defence.
    check('orders_total_in_range', sql`${t.total} >= 0`),
    check('orders_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check(
      'orders_cancellation_reason_iff_cancelled',
      sql`(${t.status} = 'CANCELLED') = (${t.cancellationReason} is not null)`,
    ),
    check(
      'orders_next_action_has_time',
      sql`(${t.nextAction} is null) = (${t.nextActionAt} is null)`,
    ),
  ],
);

export const orderItems = pgTable(
  'order_items',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    line: smallint('line').notNull(),
    sku: text('sku').notNull(),
    name: text('name').notNull(),
    quantity: integer('quantity').notNull(),
    unitPrice: integer('unit_price').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.line] }),
    check('order_items_quantity_in_range', sql`${t.quantity} between 1 and 10000`),
    check('order_items_unit_price_in_range', sql`${t.unitPrice} >= 0`),
  ],
);

/** A PostgreSQL 64-bit transaction id; read and written as text. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * Every transition, written in the same statement as the status change it records. It is also
 * the transition log that events are read from, in (xid, position) order: `xid` is the writing
 * transaction's id and `position` orders the rows of one transaction. Readers take only rows of
 * transactions older than every transaction still running (`pg_snapshot_xmin`), so a
 * transaction that commits late is never skipped (a serial or a timestamp alone would be).
 */
export const orderTransitions = pgTable(
  'order_transitions',
  {
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    // (order_id, seq) is the key: a transition applied twice would collide here.
    seq: smallint('seq').notNull(),
    fromStatus: orderStatus('from_status'),
    toStatus: orderStatus('to_status').notNull(),
    reason: text('reason'),
    at: ts('at').notNull(),
    position: bigint('position', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    xid: xid8('xid')
      .notNull()
      .default(sql`pg_current_xact_id()`),
  },
  (t) => [
    primaryKey({ columns: [t.orderId, t.seq] }),
    index('order_transitions_log_idx').on(t.xid, t.position),
  ],
);

export const ordersRelations = relations(orders, ({ many }) => ({
  items: many(orderItems),
  history: many(orderTransitions),
}));
export const orderItemsRelations = relations(orderItems, ({ one }) => ({
  order: one(orders, { fields: [orderItems.orderId], references: [orders.id] }),
}));
export const orderTransitionsRelations = relations(orderTransitions, ({ one }) => ({
  order: one(orders, { fields: [orderTransitions.orderId], references: [orders.id] }),
}));

export const schema = {
  orders,
  orderItems,
  orderTransitions,
  ordersRelations,
  orderItemsRelations,
  orderTransitionsRelations,
};
export type OrdersSchema = typeof schema;
