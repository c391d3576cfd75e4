import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
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

/**
 * Runs one statement of SQL text with `$1`-style parameters and returns its rows. On a server
 * the statement is prepared once per connection and reused, so hot statements are parsed and
 * planned once: their text must not vary with the data (pass lists as arrays, `= any($1)`).
 * Arrays go in as JavaScript arrays; json comes back parsed, timestamps as the driver gives them
 * (a Date, or text on a server: drizzle keeps those as text for its own mapping).
 */
export interface SqlClient {
  query<TRow>(text: string, params: readonly unknown[]): Promise<TRow[]>;
}

/** An open database plus what the drivers do differently (LISTEN, health, shutdown). */
export interface DatabaseHandle<TSchema extends Record<string, unknown>> {
  readonly db: Database<TSchema>;
  readonly kind: 'embedded' | 'postgres';
  /** Runs one statement through the pool and returns its rows (see `SqlClient`). */
  readonly query: SqlClient['query'];
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
  const inMemory = options.dataDir.startsWith('memory://');
  if (!inMemory) await mkdir(options.dataDir, { recursive: true });
  const unlock = inMemory ? () => Promise.resolve() : await lockDataDir(options.dataDir);
  let client: PGlite;
  try {
    // pg_trgm ships with PGlite; loaded for every database so that a migration may create it,
    // as on a PostgreSQL server that has the contrib modules.
    client = await PGlite.create(options.dataDir, { extensions: { pg_trgm } });
  } catch (error) {
    await unlock();
    throw error;
  }
  const db = drizzlePglite({ client, schema: options.schema });
  await migratePglite(db, {
    migrationsFolder: options.migrationsFolder,
    migrationsTable: options.migrationsTable,
  });
  return {
    db: db as unknown as Database<TSchema>,
    kind: 'embedded',
    async query<TRow>(text: string, params: readonly unknown[]) {
      return (await client.query<TRow>(text, [...params])).rows;
    },
    async listen(channel, onMessage) {
      const unlisten = await client.listen(channel, onMessage);
      return unlisten;
    },
    async ping() {
      await client.query('select 1');
    },
    async close() {
      await client.close();
      await unlock();
    },
  };
}

/** Thrown when another live process holds an embedded database folder. */
export class DatabaseInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database in ${dataDir} is in use by process ${pid}. It serves one process; ` +
        'stop that one, or give every process the URL of a PostgreSQL server.',
    );
    this.name = 'DatabaseInUseError';
  }
}

/**
 * An embedded database is one process's: a second PGlite on the same folder would not see the
 * first one's writes and could corrupt the files. A lock file names the owner; a lock left by a
 * process that died (kill -9) is taken over.
 */
async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const lockPath = join(dataDir, 'oms-owner.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(lockPath, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockPath, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const holder = Number(await readFile(lockPath, 'utf8').catch(() => ''));
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new DatabaseInUseError(dataDir, holder);
      }
      await rm(lockPath, { force: true });
    }
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
    backoff: reconnectDelaySeconds,
  });
  const db = drizzlePostgres({ client, schema: options.schema });
  return {
    db: db as unknown as Database<TSchema>,
    kind: 'postgres',
    async query<TRow>(text: string, params: readonly unknown[]) {
      const rows = await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], {
        prepare: true,
      });
      return rows as unknown as TRow[];
    },
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

/**
 * Wait before a connection tries the server again after losing it, by failures in a row. The
 * driver's own grows to 20 s, so a server back after a few seconds would go unused for as long:
 * this one doubles from 50 ms up to 1 s (with jitter), one attempt per connection per second at
 * most while the server is down.
 */
function reconnectDelaySeconds(failures: number): number {
  return Math.min(0.05 * 2 ** failures, 1) * (0.5 + Math.random() / 2);
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
