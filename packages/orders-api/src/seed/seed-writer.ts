import { orderSearchText } from '@oms/order-lifecycle';
import type { SqlClient } from '../persistence/sql.js';
import { seedOrders, type SeedOptions } from './seed-generator.js';

/**
 * One statement per batch writes the orders, their items and their history (so the stats
 * trigger and the foreign keys see a whole batch at once); rows travel as one JSON array per
 * table, which both drivers (postgres.js and PGlite) pass as a single parameter. Without
 * search_text for a database from before migration 0008 (the migration tests seed such
 * databases, and 0008 fills the column in).
 */
const insertOrders = (searchText: boolean) => `
  with o as (
    insert into orders (id, status, currency, total, cancellation_reason, payment_token, payment_id,
      payment_attempts, customer_id, next_action, next_action_at, customer_name, customer_email,
      ship_line1, ship_line2, ship_city, ship_postal_code, ship_region, ship_country, version,
      created_at, updated_at${searchText ? ', search_text' : ''})
    select id, status, currency, total, cancellation_reason, payment_token, payment_id,
      payment_attempts, customer_id, next_action, next_action_at, customer_name, customer_email,
      ship_line1, ship_line2, ship_city, ship_postal_code, ship_region, ship_country, version,
      created_at, updated_at${searchText ? ', search_text' : ''}
    from json_to_recordset($1::json) as r(id uuid, status order_status, currency char(3),
      total int, cancellation_reason text, payment_token text, payment_id text,
      payment_attempts int, customer_id text, next_action order_follow_up,
      next_action_at timestamptz, customer_name text, customer_email text, ship_line1 text,
      ship_line2 text, ship_city text, ship_postal_code text, ship_region text,
      ship_country char(2), version int, created_at timestamptz, updated_at timestamptz,
      search_text text)
    returning 1
  ), i as (
    insert into order_items (order_id, line, sku, name, quantity, unit_price)
    select * from json_to_recordset($2::json) as r(order_id uuid, line smallint, sku text,
      name text, quantity int, unit_price int)
    returning 1
  ), t as (
    insert into order_transitions (order_id, seq, from_status, to_status, reason, at, actor_kind,
      actor_id)
    select * from json_to_recordset($3::json) as r(order_id uuid, seq smallint,
      from_status order_status, to_status order_status, reason text, at timestamptz,
      actor_kind actor_kind, actor_id text)
    order by at
    returning 1
  )
  select (select count(*) from o)::int as orders`;

const INSERT_PAYMENTS = `
  insert into payments (id, idempotency_key, order_id, status, amount, currency, token_hash,
    created_at, updated_at, refunded_at)
  select * from json_to_recordset($1::json) as r(id uuid, idempotency_key text, order_id text,
    status text, amount int, currency char(3), token_hash text, created_at timestamptz,
    updated_at timestamptz, refunded_at timestamptz)`;

export interface SeedProgress {
  done: number;
  total: number;
  elapsedMs: number;
}

export interface SeedTarget {
  orders: SqlClient;
  /** payments-api's database; absent: no payments rows (a database nobody checks them in). */
  payments?: SqlClient;
}

/**
 * Writes the generated history: orders first, then their payments, batch by batch, two
 * batches in flight so generating one overlaps writing the other. Then ANALYZE, so the planner
 * knows the tables' new sizes at once.
 */
export async function seed(
  target: SeedTarget,
  options: SeedOptions,
  onProgress: (progress: SeedProgress) => void = () => undefined,
  batchSize = 2_000,
): Promise<{ orders: number }> {
  const started = Date.now();
  const [column] = await target.orders.query<{ found: boolean }>(
    `select exists (select 1 from information_schema.columns
                    where table_schema = current_schema() and table_name = 'orders'
                      and column_name = 'search_text') as found`,
    [],
  );
  const insert = insertOrders(column?.found === true);
  let done = 0;
  let inFlight: Promise<void> = Promise.resolve();
  for (const batch of seedOrders(options, batchSize)) {
    const orders = JSON.stringify(
      batch.map((o) => ({
        ...o.order,
        search_text: orderSearchText({
          customer: { name: o.order.customer_name, email: o.order.customer_email },
          items: o.items,
        }),
      })),
    );
    const items = JSON.stringify(batch.flatMap((o) => o.items));
    const history = JSON.stringify(batch.flatMap((o) => o.history));
    const payments = JSON.stringify(batch.flatMap((o) => (o.payment === null ? [] : [o.payment])));
    await inFlight;
    inFlight = (async () => {
      await target.orders.query(insert, [orders, items, history]);
      await target.payments?.query(INSERT_PAYMENTS, [payments]);
      done += batch.length;
      onProgress({ done, total: options.orders, elapsedMs: Date.now() - started });
    })();
  }
  await inFlight;
  await target.orders.query('analyze orders, order_items, order_transitions', []);
  await target.payments?.query('analyze payments', []);
  return { orders: done };
}
