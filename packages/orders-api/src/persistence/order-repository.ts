import { ORDER_START, orderSearchText, type OrderStatus } from '@oms/order-lifecycle';
import {
  FOLLOW_UP_NAMES,
  requesterKind,
  type ActorKind,
  type FollowUp,
} from '@oms/order-lifecycle';
import type {
  CreatedOrder,
  NewOrder,
  OrderExportRow,
  OrderPageQuery,
  OrderRepository,
} from '../domain/order-ports.js';
import type { OrderView } from '../domain/order.model.js';
import { GroupCommit, type ItemResult } from './group-commit.js';
import { listStatement } from './order-list-statement.js';
import { isDataError, toDate, type SqlClient } from './sql.js';

/** How creations are grouped into statements. */
export interface InsertBatching {
  /** Orders written by one statement at most. */
  maxBatch: number;
  /** Statements writing orders at once. */
  maxInFlight: number;
}

/**
 * Inserts orders with their items, their first history row and their first job: one statement
 * for a whole batch, all or nothing. Orders whose customer already used their idempotency key
 * are skipped (`on conflict do nothing`) and not returned. Arrays, so the text never changes and
 * the statement is prepared once.
 */
const INSERT_ORDERS = `
  with input as (
    select * from unnest($1::uuid[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[],
                         $7::text[], $8::text[], $17::text[], $18::text[], $19::text[],
                         $20::text[], $21::text[], $22::text[], $23::text[], $24::text[],
                         $25::text[], $26::text[], $27::text[])
      as i(id, customer_id, currency, total, payment_token, idempotency_key, request_hash,
           trace_parent, customer_name, customer_email, ship_line1, ship_line2, ship_city,
           ship_postal_code, ship_region, ship_country, actor_kind, actor_id, search_text)
  ),
  created as (
    insert into orders (id, customer_id, currency, total, payment_token, idempotency_key,
                        request_hash, trace_parent, customer_name, customer_email, ship_line1,
                        ship_line2, ship_city, ship_postal_code, ship_region, ship_country,
                        search_text, status, next_action, next_action_at)
    select i.id, i.customer_id, i.currency, i.total, i.payment_token, i.idempotency_key,
           i.request_hash, i.trace_parent, i.customer_name, i.customer_email, i.ship_line1,
           i.ship_line2, i.ship_city, i.ship_postal_code, i.ship_region, i.ship_country,
           i.search_text, $9::order_status, $10::order_follow_up, now()
    from input i
    -- The sequence hands out numbers in this order, so a batch's numbers follow its arrival.
    order by i.id
    on conflict (customer_id, idempotency_key) do nothing
    returning id, number, created_at
  ),
  lines as (
    insert into order_items (order_id, line, sku, name, quantity, unit_price)
    select l.order_id, l.line, l.sku, l.name, l.quantity, l.unit_price
    from unnest($11::uuid[], $12::smallint[], $13::text[], $14::text[], $15::int[], $16::int[])
      as l(order_id, line, sku, name, quantity, unit_price)
    join created on created.id = l.order_id
  ),
  history as (
    insert into order_transitions (order_id, seq, from_status, to_status, at, actor_kind, actor_id)
    select c.id, 1, null, $9::order_status, c.created_at, i.actor_kind::actor_kind, i.actor_id
    from created c join input i on i.id = c.id
  )
  select id, number, created_at from created`;

/** Orders with their items (by line) and history (oldest first), one row each. */
const VIEW_COLUMNS = `
  o.id, o.number, o.version, o.status, o.currency, o.total, o.created_at, o.updated_at,
  o.cancellation_reason, o.customer_id, o.customer_name, o.customer_email, o.ship_line1,
  o.ship_line2, o.ship_city, o.ship_postal_code, o.ship_region, o.ship_country, o.next_action,
  o.next_action_at, o.attempts, o.last_error,
  (select json_agg(json_build_array(i.sku, i.name, i.quantity, i.unit_price) order by i.line)
     from order_items i where i.order_id = o.id) as items,
  (select json_agg(json_build_array(t.from_status, t.to_status, t.at, t.reason, t.actor_kind,
                                    t.actor_id) order by t.seq)
     from order_transitions t where t.order_id = o.id) as history`;

/** What the CSV export writes of each order. */
const EXPORT_COLUMNS = `
  o.id, o.number, o.status, o.created_at, o.updated_at, o.customer_name, o.customer_email,
  o.currency, o.total, o.ship_country,
  (select json_agg(json_build_array(i.sku, i.name, i.quantity) order by i.line)
     from order_items i where i.order_id = o.id) as items`;

const FIND_MANY = `select ${VIEW_COLUMNS} from orders o where o.id = any($1::uuid[])`;
const FIND_BY_NUMBER = `select ${VIEW_COLUMNS} from orders o where o.number = $1::int`;

/** The statement of one page of a list, as `page` runs it (for EXPLAIN in the bench). */
export function pageStatement(query: OrderPageQuery): { text: string; params: unknown[] } {
  return listStatement(VIEW_COLUMNS, query);
}

/** Orders as rows: what is written when an order is created, and every read of orders. */
export class SqlOrderRepository implements OrderRepository {
  private readonly inserts: GroupCommit<NewOrder, CreatedOrder | null>;

  constructor(
    private readonly db: SqlClient,
    batching: InsertBatching = { maxBatch: 200, maxInFlight: 2 },
    /** Told after every statement that committed new orders. */
    private readonly onCommitted: () => void = () => undefined,
  ) {
    this.inserts = new GroupCommit({ ...batching, write: (orders) => this.insertBatch(orders) });
  }

  /**
   * Stores a new order; concurrent calls share one statement (group commit). Resolves to its
   * creation time and number once committed, or to null when the customer's idempotency key is
   * taken.
   */
  insert(order: NewOrder): Promise<CreatedOrder | null> {
    return this.inserts.submit(order);
  }

  /**
   * Writes a batch; an order whose rows the database refuses is retried alone so that it fails
   * by itself and the others are stored.
   */
  private async insertBatch(
    orders: readonly NewOrder[],
  ): Promise<ItemResult<CreatedOrder | null>[]> {
    // A key used twice in one batch: the later order waits for the first and then finds the
    // key taken, exactly as if it had arrived after it.
    const seen = new Set<string>();
    const firsts = orders.filter((order) => {
      if (order.idempotencyKey === null) return true;
      const key = JSON.stringify([order.customerId, order.idempotencyKey]);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    let created: Map<string, CreatedOrder>;
    try {
      created = await this.write(firsts);
    } catch (error) {
      if (!isDataError(error) || firsts.length === 1) throw error;
      return Promise.all(orders.map(async (order) => this.insertAlone(order)));
    }
    return orders.map((order) => ({ ok: true, value: created.get(order.id) ?? null }));
  }

  private async insertAlone(order: NewOrder): Promise<ItemResult<CreatedOrder | null>> {
    try {
      const created = await this.write([order]);
      return { ok: true, value: created.get(order.id) ?? null };
    } catch (error) {
      return { ok: false, error };
    }
  }

  private async write(orders: readonly NewOrder[]): Promise<Map<string, CreatedOrder>> {
    const lines = orders.flatMap((order) =>
      order.items.map((item, line) => ({ order: order.id, line, ...item })),
    );
    const customers = orders.map((o) => o.customer ?? null);
    const addresses = orders.map((o) => o.shippingAddress ?? null);
    const actors = orders.map(
      (o) => o.createdBy ?? { kind: requesterKind(false), id: o.customerId },
    );
    const rows = await this.db.query<{
      id: string;
      number: number;
      created_at: Date | string;
    }>(INSERT_ORDERS, [
      orders.map((o) => o.id),
      orders.map((o) => o.customerId),
      orders.map((o) => o.currency),
      orders.map((o) => o.total),
      orders.map((o) => o.paymentToken),
      orders.map((o) => o.idempotencyKey),
      orders.map((o) => o.requestHash),
      orders.map((o) => o.traceParent),
      ORDER_START.status,
      ORDER_START.followUp,
      lines.map((l) => l.order),
      lines.map((l) => l.line),
      lines.map((l) => l.sku),
      lines.map((l) => l.name),
      lines.map((l) => l.quantity),
      lines.map((l) => l.unitPrice),
      customers.map((c) => c?.name ?? null),
      customers.map((c) => c?.email ?? null),
      addresses.map((a) => a?.line1 ?? null),
      addresses.map((a) => a?.line2 ?? null),
      addresses.map((a) => a?.city ?? null),
      addresses.map((a) => a?.postalCode ?? null),
      addresses.map((a) => a?.region ?? null),
      addresses.map((a) => a?.country ?? null),
      actors.map((a) => a.kind),
      actors.map((a) => a.id),
      orders.map((o) => orderSearchText(o)),
    ]);
    if (rows.length > 0) this.onCommitted();
    return new Map(rows.map((r) => [r.id, { createdAt: toDate(r.created_at), number: r.number }]));
  }

  async findByIdempotencyKey(
    customerId: string,
    key: string,
  ): Promise<{ id: string; requestHash: string | null } | null> {
    const rows = await this.db.query<{ id: string; request_hash: string | null }>(
      `select id, request_hash from orders where customer_id = $1 and idempotency_key = $2`,
      [customerId, key],
    );
    const row = rows[0];
    return row === undefined ? null : { id: row.id, requestHash: row.request_hash };
  }

  async customerOf(id: string): Promise<string | null> {
    const rows = await this.db.query<{ customer_id: string }>(
      `select customer_id from orders where id = $1`,
      [id],
    );
    return rows[0]?.customer_id ?? null;
  }

  async findMany(ids: readonly string[]): Promise<OrderView[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.query<ViewRow>(FIND_MANY, [ids]);
    const byId = new Map(rows.map((row) => [row.id, toView(row)]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async findByNumber(number: number): Promise<OrderView | null> {
    const [row] = await this.db.query<ViewRow>(FIND_BY_NUMBER, [number]);
    return row === undefined ? null : toView(row);
  }

  async page(query: OrderPageQuery): Promise<OrderView[]> {
    const { text, params } = pageStatement(query);
    const rows = await this.db.query<ViewRow>(text, params);
    return rows.map(toView);
  }

  async exportPage(query: OrderPageQuery): Promise<OrderExportRow[]> {
    const { text, params } = listStatement(EXPORT_COLUMNS, query);
    const rows = await this.db.query<ExportRow>(text, params);
    return rows.map((row) => ({
      id: row.id,
      number: row.number,
      status: row.status,
      createdAt: toDate(row.created_at),
      updatedAt: toDate(row.updated_at),
      customerName: row.customer_name,
      customerEmail: row.customer_email,
      currency: row.currency,
      total: row.total,
      items: fromJson(row.items, []).map(([sku, name, quantity]) => ({ sku, name, quantity })),
      shipCountry: row.ship_country,
    }));
  }
}

/** A row of a view query; the drivers differ in whether they parse json and timestamps. */
interface ViewRow {
  id: string;
  number: number;
  version: number;
  status: OrderStatus;
  currency: string;
  total: number;
  created_at: Date | string;
  updated_at: Date | string;
  cancellation_reason: string | null;
  customer_id: string;
  customer_name: string | null;
  customer_email: string | null;
  ship_line1: string | null;
  ship_line2: string | null;
  ship_city: string | null;
  ship_postal_code: string | null;
  ship_region: string | null;
  ship_country: string | null;
  next_action: FollowUp | null;
  next_action_at: Date | string | null;
  attempts: number;
  last_error: string | null;
  items: Json<[string, string, number, number][]> | null;
  history: Json<
    [OrderStatus | null, OrderStatus, string, string | null, ActorKind, string | null][]
  > | null;
}

interface ExportRow {
  id: string;
  number: number;
  status: OrderStatus;
  created_at: Date | string;
  updated_at: Date | string;
  customer_name: string | null;
  customer_email: string | null;
  currency: string;
  total: number;
  ship_country: string | null;
  items: Json<[string, string, number][]> | null;
}

type Json<T> = T | string;

const fromJson = <T>(value: Json<T> | null, empty: T): T =>
  value === null ? empty : typeof value === 'string' ? (JSON.parse(value) as T) : value;

function toView(row: ViewRow): OrderView {
  const { customer_name: name, customer_email: email } = row;
  const { ship_line1: line1, ship_city: city, ship_postal_code: postalCode } = row;
  const country = row.ship_country;
  const { next_action: action, next_action_at: dueAt } = row;
  return {
    id: row.id,
    number: row.number,
    version: row.version,
    status: row.status,
    currency: row.currency,
    total: row.total,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    cancellationReason: row.cancellation_reason,
    customerId: row.customer_id,
    customer: name === null || email === null ? null : { name, email },
    shippingAddress:
      line1 === null || city === null || postalCode === null || country === null
        ? null
        : { line1, line2: row.ship_line2, city, postalCode, region: row.ship_region, country },
    nextAction:
      action === null || dueAt === null
        ? null
        : {
            kind: FOLLOW_UP_NAMES[action],
            dueAt: toDate(dueAt),
            attempts: row.attempts,
            lastError: row.last_error,
          },
    items: fromJson(row.items, []).map(([sku, name, quantity, unitPrice]) => ({
      sku,
      name,
      quantity,
      unitPrice,
    })),
    history: fromJson(row.history, []).map(([from, to, at, reason, kind, actorId]) => ({
      from,
      to,
      at: new Date(at),
      reason,
      actor: { kind, id: actorId },
    })),
  };
}
