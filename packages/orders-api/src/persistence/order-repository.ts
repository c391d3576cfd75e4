import { queryRows } from '@oms/database';
import { ORDER_START, type OrderStatus } from '@oms/order-lifecycle';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { NewOrder, OrderPageQuery, OrderRepository } from '../domain/order-ports.js';
import type { OrderView } from '../domain/order.model.js';
import { ORDER_EVENTS_CHANNEL, ORDER_JOBS_CHANNEL } from './event-feed.js';
import { orders } from './schema.js';
import { list, toDate, type OrdersDb } from './sql.js';

/** Orders as rows: what is written when an order is created, and every read of orders. */
export class SqlOrderRepository implements OrderRepository {
  constructor(private readonly db: OrdersDb) {}

  /**
   * Inserts a new order with its items, its first history row and its first job, and sends its
   * NOTIFYs, all in one statement (so all or nothing, without a transaction around it). Returns
   * the creation time, or null when the idempotency key is taken.
   */
  async insert(order: NewOrder): Promise<Date | null> {
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
      this.db,
      sql`with created as (
            insert into orders (id, status, currency, total, payment_token, idempotency_key,
                                request_hash, trace_parent, next_action, next_action_at,
                                customer_id)
            values (${order.id}::uuid, ${ORDER_START.status}::order_status, ${order.currency},
                    ${order.total}, ${order.paymentToken}, ${order.idempotencyKey},
                    ${order.requestHash}, ${order.traceParent},
                    ${ORDER_START.followUp}::order_follow_up, now(), ${order.customerId})
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
            select id, 1, null, ${ORDER_START.status}::order_status, now() from created
          )
          select created_at, pg_notify(${ORDER_EVENTS_CHANNEL}, ${`${order.id}:1`}),
                 pg_notify(${ORDER_JOBS_CHANNEL}, '')
          from created`,
    );
    const createdAt = rows[0]?.created_at;
    return createdAt === undefined ? null : toDate(createdAt);
  }

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

  async customerOf(id: string): Promise<string | null> {
    const rows = await this.db
      .select({ customerId: orders.customerId })
      .from(orders)
      .where(eq(orders.id, id));
    return rows[0]?.customerId ?? null;
  }

  async findMany(ids: readonly string[]): Promise<OrderView[]> {
    if (ids.length === 0) return [];
    const rows = await this.selectViews(sql`o.id in (${list(ids)})`, sql``);
    const byId = new Map(rows.map((view) => [view.id, view]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async page({ limit, after, status, customerId }: OrderPageQuery): Promise<OrderView[]> {
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
