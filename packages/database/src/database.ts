import { mkdir } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { sql, type SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

/** A drizzle database over either driver; both speak the same PostgreSQL dialect. */
export type Database<TSchema extends Record<string, unknown>> = PgDatabase<
  PgQueryResultHKT,
  TSchema
>;

/** An open database plus what the drivers do differently (LISTEN, health, shutdown). */
export interface DatabaseHandle<TSchema extends Record<string, unknown>> {
  readonly db: Database<TSchema>;
  readonly kind: 'embedded' | 'postgres';
  /** Calls `onMessage` for each NOTIFY on `channel`; resolves to a function that stops listening. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** Resolves when the database answers a trivial query. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions<TSchema extends Record<string, unknown>> {
  /** PostgreSQL URL; when absent the embedded database in `dataDir` is used. */
  url: string | undefined;
  /** Folder for the embedded database; `memory://` keeps it in memory. */
  dataDir: string;
  schema: TSchema;
  /** Folder of versioned SQL migrations written by drizzle-kit. */
  migrationsFolder: string;
  /** Table recording applied migrations; one per service, so two services may share a database. */
  migrationsTable: string;
  /** Connections in the pool (real server only). */
  poolSize?: number;
  /** Called when the server sends a notice or the listener reconnects; for logging. */
  onNotice?: (message: string) => void;
}

/** Opens the database and applies pending migrations before resolving. */
export async function openDatabase<TSchema extends Record<string, unknown>>(
  options: OpenDatabaseOptions<TSchema>,
): Promise<DatabaseHandle<TSchema>> {
  return options.url === undefined ? openEmbedded(options) : openPostgres(options.url, options);
}

async function openEmbedded<TSchema extends Record<string, unknown>>(
  options: OpenDatabaseOptions<TSchema>,
): Promise<DatabaseHandle<TSchema>> {
  if (!options.dataDir.startsWith('memory://')) await mkdir(options.dataDir, { recursive: true });
  const client = await PGlite.create(options.dataDir);
  const db = drizzlePglite({ client, schema: options.schema });
  await migratePglite(db, {
    migrationsFolder: options.migrationsFolder,
    migrationsTable: options.migrationsTable,
  });
  return {
    db: db as unknown as Database<TSchema>,
    kind: 'embedded',
    async listen(channel, onMessage) {
      const unlisten = await client.listen(channel, onMessage);
      return unlisten;
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
    },
  };
}

async function openPostgres<TSchema extends Record<string, unknown>>(
  url: string,
  options: OpenDatabaseOptions<TSchema>,
): Promise<DatabaseHandle<TSchema>> {
  const onnotice = (notice: postgres.Notice) => options.onNotice?.(String(notice.message));
  await migrateUnderLock(url, options, onnotice);
  const client = postgres(url, {
    max: options.poolSize ?? 10,
    onnotice,
    connect_timeout: 5,
  });
  const db = drizzlePostgres({ client, schema: options.schema });
  return {
    db: db as unknown as Database<TSchema>,
    kind: 'postgres',
    async listen(channel, onMessage) {
      // postgres.js keeps one dedicated connection for LISTEN and re-subscribes after a reconnect.
      const subscription = await client.listen(channel, onMessage, () => {
        options.onNotice?.(`listening on ${channel}`);
      });
      return () => subscription.unlisten();
    },
    async ping() {
      await client`select 1`;
    },
    async close() {
      await client.end({ timeout: 5 });
    },
  };
}

/** Several processes may start at once on one server: only one applies migrations at a time. */
async function migrateUnderLock<TSchema extends Record<string, unknown>>(
  url: string,
  options: OpenDatabaseOptions<TSchema>,
  onnotice: (notice: postgres.Notice) => void,
): Promise<void> {
  const client = postgres(url, { max: 1, onnotice, connect_timeout: 5 });
  try {
    await client`select pg_advisory_lock(hashtext(${options.migrationsTable}))`;
    await migratePostgres(drizzlePostgres({ client }), {
      migrationsFolder: options.migrationsFolder,
      migrationsTable: options.migrationsTable,
    });
    await client`select pg_advisory_unlock(hashtext(${options.migrationsTable}))`;
  } finally {
    await client.end({ timeout: 5 });
  }
}

/** Runs a raw query and returns its rows, whichever driver is underneath. */
export async function queryRows<TRow>(
  db: Pick<Database<Record<string, unknown>>, 'execute'>,
  query: SQL,
): Promise<TRow[]> {
  const result: unknown = await db.execute(query);
  // postgres.js answers an array of rows; PGlite an object with `rows`.
  if (Array.isArray(result)) return result as TRow[];
  return (result as { rows: TRow[] }).rows;
}

export { sql };
