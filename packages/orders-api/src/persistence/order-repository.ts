import { queryRows, type Database } from '@oms/database';
import {
  ORDER_TRANSITIONS,
  type FollowUp,
  type OrderEvent,
  type OrderStatus,
  type TransitionRule,
} from '@oms/order-lifecycle';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { DEMO_CUSTOMER_ID } from '../auth/principal.js';
import { orders, type OrdersSchema } from '../db/schema.js';
import type { OrderCursor } from './order-cursor.js';
import type { OrderItemView, OrderView } from './order.model.js';

/** NOTIFY channel carrying `<orderId>:<version>` after each committed transition. */
export const ORDER_EVENTS_CHANNEL = 'order_events';
/** NOTIFY channel that wakes every worker when new work is due now. */
export const ORDER_JOBS_CHANNEL = 'order_jobs';

export type OrdersDb = Database<OrdersSchema>;
type Tx = Parameters<Parameters<OrdersDb['transaction']>[0]>[0];
type Executor = OrdersDb | Tx;

/** Which orders a transition applies to: given ids, or the deliveries that are due. */
export type TransitionTarget =
  { kind: 'ids'; ids: readonly string[] } | { kind: 'due'; action: FollowUp; limit: number };

export interface TransitionOptions {
  event: OrderEvent;
  /** Narrows the rule's allowed source states (a cancel locks the row and knows its state). */
  from?: readonly OrderStatus[];
  reason?: string | null;
  followUp: FollowUp | null;
  /** Seconds until the follow-up is due (0: now). */
  followUpDelaySeconds?: number;
  /** The payment provider's id, when the transition records a payment answer. */
  paymentId?: string | null;
}

/** A transition that was applied (and whose event is published when the transaction commits). */
export interface AppliedTransition {
  id: string;
  from: OrderStatus;
  to: OrderStatus;
  version: number;
  at: Date;
}

/** Background work claimed by one worker until `claimToken` is cleared or its lease runs out. */
export interface ClaimedJob {
  id: string;
  action: 'PAY' | 'RELEASE_PAYMENT';
  total: number;
  currency: string;
  paymentToken: string | null;
  paymentId: string | null;
  attempts: number;
  claimToken: string;
  /** W3C traceparent stored at creation, so the job's spans join the order's trace. */
  traceParent: string | null;
}

export interface NewOrder {
  id: string;
  currency: string;
  total: number;
  items: readonly OrderItemView[];
  paymentToken: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  traceParent?: string | null;
  /** Whose order it is; absent: the demo customer's (the column's default). */
  customerId?: string;
}

const toDate = (value: Date | string): Date => (value instanceof Date ? value : new Date(value));
const list = (values: readonly string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** All SQL of the orders service. Every status change goes through `transition`. */
export class OrderStore {
  constructor(readonly db: OrdersDb) {}

  /**
   * Inserts a new order with its items and its CREATED history row, queues its payment and
   * sends its NOTIFYs, all in one statement (so all or nothing, in a transaction or not).
   * Returns the creation time, or null when the idempotency key is taken (the caller then looks
   * the existing order up). One statement rather than six round trips: createOrder held a pooled
   * connection for all of them, and they were most of orders-api's statements per order.
   */
  async insertOrder(executor: Executor, order: NewOrder): Promise<Date | null> {
    const lines = sql.join(
      order.items.map(
        (item, line) =>
          sql`(${line}::smallint, ${item.sku}::text, ${item.name}::text, ${item.quantity}::integer, ${item.unitPrice}::integer)`,
      ),
      sql`, `,
    );
    // Data-modifying CTEs run once whether or not they are read; the NOTIFYs are in the final
    // select, so they are sent only when the order was inserted.
    const rows = await queryRows<{ created_at: Date | string }>(
      executor,
      sql`with created as (
            insert into orders (id, status, currency, total, payment_token, idempotency_key,
                                request_hash, trace_parent, next_action, next_action_at,
                                customer_id)
            values (${order.id}::uuid, 'CREATED', ${order.currency}, ${order.total},
                    ${order.paymentToken}, ${order.idempotencyKey}, ${order.requestHash},
                    ${order.traceParent ?? null}, 'PAY', now(),
                    ${order.customerId ?? DEMO_CUSTOMER_ID})
            on conflict (customer_id, idempotency_key) do nothing
            returning id, created_at
          ),
          lines as (
            insert into order_items (order_id, line, sku, name, quantity, unit_price)
            select created.id, v.line, v.sku, v.name, v.quantity, v.unit_price
            from created, (values ${lines}) as v(line, sku, name, quantity, unit_price)
          ),
          history as (
            insert into order_transitions (order_id, seq, from_status, to_status, at)
            select id, 1, null, 'CREATED', now() from created
          )
          select created_at, pg_notify(${ORDER_EVENTS_CHANNEL}, ${`${order.id}:1`}),
                 pg_notify(${ORDER_JOBS_CHANNEL}, '')
          from created`,
    );
    const createdAt = rows[0]?.created_at;
    return createdAt === undefined ? null : toDate(createdAt);
  }

  /** The customer's order holding an idempotency key, with the hash of the request that made it. */
  async findByIdempotencyKey(
    customerId: string,
    key: string,
  ): Promise<{ id: string; requestHash: string | null } | null> {
    const rows = await this.db
      .select({ id: orders.id, requestHash: orders.requestHash })
      .from(orders)
      .where(and(eq(orders.customerId, customerId), eq(orders.idempotencyKey, key)));
    return rows[0] ?? null;
  }

  /** Locks an order for the rest of the transaction and returns what a cancel needs to know. */
  async lockForCancel(
    tx: Tx,
    id: string,
  ): Promise<{ status: OrderStatus; paymentAttempts: number; customerId: string } | null> {
    const rows = await tx
      .select({
        status: orders.status,
        paymentAttempts: orders.paymentAttempts,
        customerId: orders.customerId,
      })
      .from(orders)
      .where(eq(orders.id, id))
      .for('update');
    return rows[0] ?? null;
  }

  /**
   * Applies one lifecycle event as a single statement: a guarded update (only from the states
   * the lifecycle allows), its history row, its follow-up job and its NOTIFY, all or nothing.
   * Orders not in an allowed state are left alone and not returned.
   */
  async transition(
    executor: Executor,
    target: TransitionTarget,
    options: TransitionOptions,
  ): Promise<AppliedTransition[]> {
    const rule: TransitionRule = ORDER_TRANSITIONS[options.event];
    const from = options.from ?? rule.from;
    const to = rule.to;
    const reason = to === 'CANCELLED' ? (options.reason ?? rule.defaultReason ?? null) : null;
    const candidates =
      target.kind === 'ids'
        ? sql`select id, status from orders
              where id in (${list(target.ids)}) and status in (${list(from)})
              for update`
        : sql`select id, status from orders
              where next_action = ${target.action} and next_action_at <= now()
                and status in (${list(from)})
              order by next_action_at limit ${target.limit}
              for update skip locked`;
    // Not now(): that is when the transaction began, and a cancel's transaction may have begun
    // before the confirmation it waited for committed. A transition is never stamped earlier
    // than the one before it.
    const at = sql`greatest(statement_timestamp(), o.updated_at)`;
    const dueAt =
      options.followUp === null
        ? sql`null`
        : sql`${at} + ${options.followUpDelaySeconds ?? 0}::float8 * interval '1 second'`;
    const paymentId =
      options.paymentId === undefined ? sql`o.payment_id` : sql`${options.paymentId}::text`;
    const rows = await queryRows<{
      id: string;
      from_status: OrderStatus;
      version: number;
      updated_at: Date | string;
    }>(
      executor,
      sql`with prev as (${candidates}),
      upd as (
        update orders o set
          status = ${to}::order_status,
          version = o.version + 1,
          updated_at = ${at},
          cancellation_reason = ${reason}::text,
          next_action = ${options.followUp}::order_follow_up,
          next_action_at = ${dueAt},
          attempts = 0,
          claim_token = null,
          payment_token = null,
          payment_id = ${paymentId}
        from prev where o.id = prev.id
        returning o.id, prev.status as from_status, o.version, o.updated_at
      ),
      hist as (
        insert into order_transitions (order_id, seq, from_status, to_status, reason, at)
        select id, version, from_status, ${to}::order_status, ${reason}::text, updated_at from upd
      )
      select id, from_status, version, updated_at,
             pg_notify(${ORDER_EVENTS_CHANNEL}, id::text || ':' || version::text) as notified
      from upd`,
    );
    return rows.map((r) => ({
      id: r.id,
      from: r.from_status,
      to,
      version: r.version,
      at: toDate(r.updated_at),
    }));
  }

  /**
   * Claims due payment and refund jobs for this worker. The lease (pushing `next_action_at`
   * forward) is what makes a job come back if this process dies while the call is in flight.
   */
  async claimPaymentJobs(limit: number, leaseSeconds: number): Promise<ClaimedJob[]> {
    const rows = await queryRows<{
      id: string;
      next_action: 'PAY' | 'RELEASE_PAYMENT';
      total: number;
      currency: string;
      payment_token: string | null;
      payment_id: string | null;
      attempts: number;
      claim_token: string;
      trace_parent: string | null;
    }>(
      this.db,
      sql`update orders o set
            next_action_at = now() + ${leaseSeconds}::float8 * interval '1 second',
            attempts = o.attempts + 1,
            payment_attempts = o.payment_attempts + (case when o.next_action = 'PAY' then 1 else 0 end),
            claim_token = gen_random_uuid()
          where o.id in (
            select id from orders
            where next_action in ('PAY', 'RELEASE_PAYMENT') and next_action_at <= now()
            order by next_action_at limit ${limit}
            for update skip locked
          )
          returning o.id, o.next_action, o.total, o.currency, o.payment_token, o.payment_id,
                    o.attempts, o.claim_token, o.trace_parent`,
    );
    return rows.map((r) => ({
      id: r.id,
      action: r.next_action,
      total: r.total,
      currency: r.currency,
      paymentToken: r.payment_token,
      paymentId: r.payment_id,
      attempts: r.attempts,
      claimToken: r.claim_token,
      traceParent: r.trace_parent,
    }));
  }

  /** Puts a claimed job back for a later attempt; a no-op if another worker has claimed it since. */
  async retryLater(id: string, claimToken: string, delayMs: number): Promise<void> {
    await this.db.execute(
      sql`update orders set next_action_at = now() + ${delayMs}::float8 * interval '1 millisecond',
                 claim_token = null
          where id = ${id} and claim_token = ${claimToken}`,
    );
  }

  /** Marks a claimed job done; a no-op if another worker has claimed it since. */
  async completeJob(id: string, claimToken: string): Promise<void> {
    await this.db.execute(
      sql`update orders set next_action = null, next_action_at = null, attempts = 0,
                 claim_token = null
          where id = ${id} and claim_token = ${claimToken}`,
    );
  }

  /**
   * A payment was confirmed for an order that is no longer CREATED. If it was cancelled
   * meanwhile, queue the release of that money; any other state means a duplicate answer.
   */
  async releaseIfCancelled(id: string, paymentId: string | null): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`update orders set next_action = 'RELEASE_PAYMENT', next_action_at = now(), attempts = 0,
                 claim_token = null, payment_id = coalesce(payment_id, ${paymentId}::text)
          where id = ${id} and status = 'CANCELLED'
          returning id`,
    );
    return rows.length > 0;
  }

  /** An order's current status, or null when there is no such order. */
  async statusOf(id: string): Promise<OrderStatus | null> {
    const rows = await this.db
      .select({ status: orders.status })
      .from(orders)
      .where(eq(orders.id, id));
    return rows[0]?.status ?? null;
  }

  /** Whose order this is, or null when there is no such order. */
  async customerOf(id: string): Promise<string | null> {
    const rows = await this.db
      .select({ customerId: orders.customerId })
      .from(orders)
      .where(eq(orders.id, id));
    return rows[0]?.customerId ?? null;
  }

  /** When the next background job falls due, or null when there is none. */
  async nextDueAt(): Promise<Date | null> {
    const rows = await queryRows<{ due: Date | string | null }>(
      this.db,
      sql`select min(next_action_at) as due from orders where next_action is not null`,
    );
    const due = rows[0]?.due;
    return due === null || due === undefined ? null : toDate(due);
  }

  /** Loads orders with their items and history, in the order of `ids` (missing ones skipped). */
  async findMany(ids: readonly string[]): Promise<OrderView[]> {
    if (ids.length === 0) return [];
    const rows = await this.selectViews(sql`o.id in (${list(ids)})`, sql``);
    const byId = new Map(rows.map((view) => [view.id, view]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * One page of the newest-first list, optionally of one status and of one customer (null: of
   * every customer); fetches one extra row.
   */
  async page(
    limit: number,
    after: OrderCursor | null,
    status: OrderStatus | null,
    customerId: string | null = null,
  ): Promise<OrderView[]> {
    const conditions = [
      customerId === null ? sql`true` : sql`o.customer_id = ${customerId}`,
      status === null ? sql`true` : sql`o.status = ${status}::order_status`,
      after === null
        ? sql`true`
        : sql`(o.created_at, o.id) < (${after.createdAt.toISOString()}::timestamptz, ${after.id}::uuid)`,
    ];
    return this.selectViews(
      sql.join(conditions, sql` and `),
      sql`order by o.created_at desc, o.id desc limit ${limit}`,
    );
  }

  /**
   * Orders with their items (by line) and history (oldest first) in one statement. Written out
   * rather than built by drizzle's relational query API on every call: building that statement
   * took a fifth of orders-api's CPU per `order(id)` and per published event (bench/README.md).
   */
  private async selectViews(where: SQL, tail: SQL): Promise<OrderView[]> {
    const rows = await queryRows<ViewRow>(
      this.db,
      sql`select o.id, o.status, o.currency, o.total, o.created_at, o.updated_at,
                 o.cancellation_reason, o.customer_id,
                 (select json_agg(json_build_array(i.sku, i.name, i.quantity, i.unit_price)
                                  order by i.line)
                    from order_items i where i.order_id = o.id) as items,
                 (select json_agg(json_build_array(t.from_status, t.to_status, t.at, t.reason)
                                  order by t.seq)
                    from order_transitions t where t.order_id = o.id) as history
          from orders o where ${where} ${tail}`,
    );
    return rows.map(toView);
  }
}

/** A row of `selectViews`; the drivers differ in whether they parse json and timestamps. */
interface ViewRow {
  id: string;
  status: OrderStatus;
  currency: string;
  total: number;
  created_at: Date | string;
  updated_at: Date | string;
  cancellation_reason: string | null;
  customer_id: string;
  items: Json<[string, string, number, number][]> | null;
  history: Json<[OrderStatus | null, OrderStatus, string, string | null][]> | null;
}

type Json<T> = T | string;

const fromJson = <T>(value: Json<T> | null, empty: T): T =>
  value === null ? empty : typeof value === 'string' ? (JSON.parse(value) as T) : value;

function toView(row: ViewRow): OrderView {
  return {
    id: row.id,
    status: row.status,
    currency: row.currency,
    total: row.total,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    cancellationReason: row.cancellation_reason,
    customerId: row.customer_id,
    items: fromJson(row.items, []).map(([sku, name, quantity, unitPrice]) => ({
      sku,
      name,
      quantity,
      unitPrice,
    })),
    history: fromJson(row.history, []).map(([from, to, at, reason]) => ({
      from,
      to,
      at: new Date(at),
      reason,
    })),
  };
}
