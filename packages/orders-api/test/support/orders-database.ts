import { cp, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase, sql, type DatabaseHandle } from '@oms/database';
import postgres from 'postgres';
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

/**
 * A copy of orders-api's migrations as they were before migration `index` (its journal cut
 * there), in a temporary folder the caller removes: a database migrated with it is one from
 * before that migration.
 */
export async function migrationsBefore(index: number): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'oms-migrations-'));
  await cp(ORDERS_MIGRATIONS, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(await readFile(journalPath, 'utf8')) as {
    entries: { idx: number }[];
  };
  journal.entries = journal.entries.filter((e) => e.idx < index);
  await writeFile(journalPath, JSON.stringify(journal));
  return folder;
}

/** A test database opened with the migrations in `folder` applied, as orders-api opens its own. */
export function openMigratedWith(
  testDb: TestDatabase,
  folder: string,
): Promise<DatabaseHandle<OrdersSchema>> {
  return openDatabase({
    url: testDb.url,
    dataDir: testDb.dataDir,
    schema,
    migrationsFolder: folder,
    migrationsTable: '__orders_migrations',
  });
}

/** An order row with its first history row, written the way orders-api writes them. */
export const insertCreatedOrder = (id: string) => sql`with o as (
    insert into orders (id, status, currency, total, next_action, next_action_at)
    values (${id}, 'CREATED', 'EUR', 100, 'PAY', now()) returning id, created_at
  )
  insert into order_transitions (order_id, seq, from_status, to_status, at, actor_kind, actor_id)
  select id, 1, null, 'CREATED', created_at, 'CUSTOMER', 'demo-customer' from o`;

/**
 * Waits until every transaction begun on the PostgreSQL server before this call has ended. The
 * transition log shows only transactions older than every one still running on the server, and
 * other tests' transactions (on other databases of the same server) count: a read of the log
 * after this sees everything committed before it. On the embedded database (one connection)
 * there is nothing to wait for.
 */
export async function waitForLogHorizon(timeoutMs = 60_000): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (url === undefined || url === '') return;
  const server = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [mark] = await server<{ xid: string }[]>`select pg_current_xact_id()::text as xid`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [now] = await server<
        { xmin: string }[]
      >`select pg_snapshot_xmin(pg_current_snapshot())::text as xmin`;
      if (BigInt(now?.xmin ?? '0') > BigInt(mark?.xid ?? '0')) return;
      if (Date.now() > deadline) throw new Error('transactions older than the test never ended');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    await server.end();
  }
}
