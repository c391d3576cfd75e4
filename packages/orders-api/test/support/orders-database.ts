import { fileURLToPath } from 'node:url';
import { openDatabase, sql, type DatabaseHandle } from '@oms/database';
import type { TestDatabase } from '@oms/database/testing';
import { schema, type OrdersSchema } from '../../src/persistence/schema.js';

/** orders-api's migrations, as the service applies them at start. */
export const ORDERS_MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

/**
 * A connection pool on a test database (or on `url`, e.g. a relay in front of it), migrated as
 * orders-api migrates its own: a second pool on the same database is another process's.
 */
export function openOrdersDatabase(
  testDb: TestDatabase,
  options: { poolSize?: number; url?: string } = {},
): Promise<DatabaseHandle<OrdersSchema>> {
  return openDatabase({
    url: options.url ?? testDb.url,
    dataDir: testDb.dataDir,
    schema,
    migrationsFolder: ORDERS_MIGRATIONS,
    migrationsTable: '__orders_migrations',
    poolSize: options.poolSize,
  });
}

/** An order row with its first history row, written the way orders-api writes them. */
export const insertCreatedOrder = (id: string) => sql`with o as (
    insert into orders (id, status, currency, total, next_action, next_action_at)
    values (${id}, 'CREATED', 'EUR', 100, 'PAY', now()) returning id, created_at
  )
  insert into order_transitions (order_id, seq, from_status, to_status, at, actor_kind, actor_id)
  select id, 1, null, 'CREATED', created_at, 'CUSTOMER', 'demo-customer' from o`;
