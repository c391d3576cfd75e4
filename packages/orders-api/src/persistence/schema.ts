import { ACTOR_KINDS, FOLLOW_UPS, NOTE_VISIBILITIES, ORDER_STATUSES } from '@oms/order-lifecycle';
import { relations, sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
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
export const actorKind = pgEnum('actor_kind', ACTOR_KINDS);
export const noteVisibility = pgEnum('note_visibility', NOTE_VISIBILITIES);

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
    /**
     * The order number people say and type ("order 1042"): from a sequence, so unique and
     * increasing in the order orders were made; a number is never reused, gaps are possible.
     */
    number: integer('number').notNull().generatedByDefaultAsIdentity({ startWith: 1001 }),
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
    /** Why the last attempt at the current next_action failed (cleared with the action). */
    lastError: text('last_error'),
    /** Set by the worker that claimed the current action; a stale worker cannot reschedule it. */
    claimToken: uuid('claim_token'),
    /**
     * W3C `traceparent` of the request that created the order: its background work (payment,
     * refund) continues that trace, in whichever process picks it up.
     */
    traceParent: text('trace_parent'),
    /** Who ordered, as given at creation (both or neither). */
    customerName: text('customer_name'),
    customerEmail: text('customer_email'),
    /** Where it is shipped, as given at creation (line1, city, postal code and country, or none). */
    shipLine1: text('ship_line1'),
    shipLine2: text('ship_line2'),
    shipCity: text('ship_city'),
    shipPostalCode: text('ship_postal_code'),
    shipRegion: text('ship_region'),
    /** ISO 3166-1 alpha-2. */
    shipCountry: char('ship_country', { length: 2 }),
    /**
     * What a search looks in: customer name and email, each item's SKU and name, lower-cased,
     * one per line (`orderSearchText` of @oms/order-lifecycle), under a trigram index.
     */
    searchText: text('search_text').notNull().default(''),
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
    // The list's other sorts (NUMBER has its unique constraint's index) and its search.
    index('orders_updated_idx').on(t.updatedAt.desc(), t.id.desc()),
    index('orders_total_idx').on(t.total.desc(), t.id.desc()),
    index('orders_search_idx').using('gin', sql`${t.searchText} gin_trgm_ops`),
    index('orders_status_newest_idx').on(t.status, t.createdAt.desc(), t.id.desc()),
    // A customer's own list, newest first.
    index('orders_customer_newest_idx').on(t.customerId, t.createdAt.desc(), t.id.desc()),
    // Per customer: another customer's key neither collides with nor reveals this one's order.
    unique('orders_customer_idempotency_key_key').on(t.customerId, t.idempotencyKey),
    unique('orders_number_key').on(t.number),
    // The database refuses what the application should never write, as a second line of defence.
    check('orders_total_in_range', sql`${t.total} >= 0`),
    check('orders_currency_iso', sql`${t.currency} ~ '^[A-Z]{3}$'`),
    check(
      'orders_cancellation_reason_iff_cancelled',
      sql`(${t.status} = 'CANCELLED') = (${t.cancellationReason} is not null)`,
    ),
    check('orders_customer_whole', sql`(${t.customerName} is null) = (${t.customerEmail} is null)`),
    check(
      'orders_shipping_address_whole',
      sql`(${t.shipLine1} is null) = (${t.shipCity} is null)
          and (${t.shipLine1} is null) = (${t.shipPostalCode} is null)
          and (${t.shipLine1} is null) = (${t.shipCountry} is null)
          and (${t.shipLine1} is not null or (${t.shipLine2} is null and ${t.shipRegion} is null))`,
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
    /** Who made the transition; for people, `actor_id` is their token's `sub`. */
    actorKind: actorKind('actor_kind').notNull(),
    actorId: text('actor_id'),
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

/**
 * Notes people leave on an order, oldest first; INTERNAL ones are for admins only. Written in
 * one statement that also checks the order is the writer's.
 */
export const orderNotes = pgTable(
  'order_notes',
  {
    id: uuid('id').primaryKey(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    text: text('text').notNull(),
    visibility: noteVisibility('visibility').notNull(),
    authorKind: actorKind('author_kind').notNull(),
    authorId: text('author_id'),
    createdAt: ts('created_at')
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    // An order's notes, oldest first: every read of notes is by order.
    index('order_notes_order_idx').on(t.orderId, t.createdAt, t.id),
    check('order_notes_text_length', sql`char_length(${t.text}) between 1 and 2000`),
  ],
);

export const webhookDeliveryStatus = pgEnum('webhook_delivery_status', [
  'PENDING',
  'DELIVERED',
  'FAILED',
]);

/**
 * An HTTP endpoint that is sent signed order events (Standard Webhooks). The secrets sign, so
 * they are kept as given; they leave the service only once, in the answer that made them.
 */
export const webhookEndpoints = pgTable('webhook_endpoints', {
  id: uuid('id').primaryKey(),
  url: text('url').notNull(),
  description: text('description'),
  /** Which transitions (by their `to`) are sent; null: all of them, statuses added later too. */
  events: orderStatus('events').array(),
  enabled: boolean('enabled').notNull().default(true),
  /** `whsec_<base64>`: the key every request is signed with. */
  secret: text('secret').notNull(),
  /** The secret before the last rotation, still signing until it expires. */
  previousSecret: text('previous_secret'),
  previousSecretExpiresAt: ts('previous_secret_expires_at'),
  /** Set by the first failed attempt after a delivery, cleared by the next delivery: FAILING. */
  failingSince: ts('failing_since'),
  /**
   * When a request to it was last answered 2xx, to within a second: written at most once a
   * second, so that concurrent deliveries do not queue on this row's lock.
   */
  lastDeliveryAt: ts('last_delivery_at'),
  createdAt: ts('created_at')
    .notNull()
    .default(sql`now()`),
  updatedAt: ts('updated_at')
    .notNull()
    .default(sql`now()`),
});

/**
 * One event for one endpoint, and the durable job of sending it: PENDING rows are claimed by
 * one sender at a time (`claim_token`, `next_attempt_at` pushed out by a lease), as order jobs
 * are. The id is the `webhook-id` header, the same on every attempt.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey(),
    endpointId: uuid('endpoint_id')
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: 'cascade' }),
    /** The event's place in the transition log, its cursor. */
    eventXid: xid8('event_xid').notNull(),
    eventPosition: bigint('event_position', { mode: 'number' }).notNull(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id, { onDelete: 'cascade' }),
    orderVersion: integer('order_version').notNull(),
    /** When the transition happened: the body's timestamp, and where delivery latency starts. */
    eventAt: ts('event_at').notNull(),
    status: webhookDeliveryStatus('status').notNull().default('PENDING'),
    attempts: integer('attempts').notNull().default(0),
    /** When it is due (or, while claimed, when the claim lapses); null unless PENDING. */
    nextAttemptAt: ts('next_attempt_at'),
    claimToken: uuid('claim_token'),
    lastStatusCode: integer('last_status_code'),
    lastError: text('last_error'),
    deliveredAt: ts('delivered_at'),
    /** When it was last queued (created or redelivered): retries stop a max age after this. */
    queuedAt: ts('queued_at')
      .notNull()
      .default(sql`now()`),
    createdAt: ts('created_at')
      .notNull()
      .default(sql`now()`),
  },
  (t) => [
    // One delivery per event and endpoint, however many dispatchers ran.
    unique('webhook_deliveries_event_key').on(t.endpointId, t.eventXid, t.eventPosition),
    index('webhook_deliveries_due_idx')
      .on(t.nextAttemptAt)
      .where(sql`${t.status} = 'PENDING'`),
    // An order's earlier pending events hold back its later ones, per endpoint.
    index('webhook_deliveries_pending_order_idx')
      .on(t.endpointId, t.orderId, t.orderVersion)
      .where(sql`${t.status} = 'PENDING'`),
    // An endpoint's deliveries, newest event first.
    index('webhook_deliveries_endpoint_idx').on(
      t.endpointId,
      t.eventXid.desc(),
      t.eventPosition.desc(),
    ),
    check(
      'webhook_deliveries_next_attempt_iff_pending',
      sql`(${t.status} = 'PENDING') = (${t.nextAttemptAt} is not null)`,
    ),
  ],
);

/**
 * Where the webhook dispatcher has read the transition log up to: one row, taken `FOR UPDATE
 * SKIP LOCKED` by the one process dispatching at a time, and moved in the statement that
 * queues the deliveries of what it read.
 */
export const webhookDispatchCursor = pgTable(
  'webhook_dispatch_cursor',
  {
    id: smallint('id').primaryKey(),
    xid: xid8('xid').notNull(),
    position: bigint('position', { mode: 'number' }).notNull(),
  },
  (t) => [check('webhook_dispatch_cursor_one_row', sql`${t.id} = 1`)],
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
  orderNotes,
  ordersRelations,
  orderItemsRelations,
  orderTransitionsRelations,
  webhookEndpoints,
  webhookDeliveries,
  webhookDispatchCursor,
};
export type OrdersSchema = typeof schema;
