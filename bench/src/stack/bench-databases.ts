import { join } from 'node:path';
import { openDatabase } from '@oms/database';
import postgres from 'postgres';
import { ORDERS_API_DIR, PAYMENTS_API_DIR } from './repo-paths.js';

/** A database this run created on the server, and its URL. */
export interface BenchDatabase {
  name: string;
  url: string;
}

/**
 * The run's own databases on the benchmarked server: created at the start, named after the
 * run, and dropped at the end, so a run never touches anyone else's tables.
 */
export class BenchDatabases {
  private readonly created: BenchDatabase[] = [];

  constructor(
    private readonly adminUrl: string,
    readonly prefix: string,
  ) {}

  /** `SELECT version()` and the numeric server version of the benchmarked server. */
  async serverVersion(): Promise<string> {
    const sql = postgres(this.adminUrl, { max: 1, onnotice: () => undefined });
    try {
      const [row] = await sql<{ version: string }[]>`select version()`;
      return row?.version ?? 'unknown';
    } finally {
      await sql.end();
    }
  }

  /** Creates `<prefix><suffix>` and returns it. */
  async create(suffix = ''): Promise<BenchDatabase> {
    const name = `${this.prefix}${suffix}`;
    if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
    const sql = postgres(this.adminUrl, { max: 1, onnotice: () => undefined });
    try {
      await sql.unsafe(`create database ${name}`);
    } finally {
      await sql.end();
    }
    const url = new URL(this.adminUrl);
    url.pathname = `/${name}`;
    const database = { name, url: url.toString() };
    this.created.push(database);
    return database;
  }

  /** Drops every database this run created, even with connections still open. */
  async dropAll(): Promise<void> {
    const sql = postgres(this.adminUrl, { max: 1, onnotice: () => undefined });
    try {
      for (const { name } of this.created.splice(0)) {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      }
    } finally {
      await sql.end();
    }
  }
}

/**
 * Applies both services' migrations to a database, the way the services do at start (the same
 * migrator, folders and tables, under the same advisory lock), without starting them.
 */
export async function migrateLikeTheServices(url: string): Promise<void> {
  for (const [dir, table] of [
    [ORDERS_API_DIR, '__orders_migrations'],
    [PAYMENTS_API_DIR, '__payments_migrations'],
  ] as const) {
    const database = await openDatabase({
      url,
      dataDir: 'unused-with-a-url',
      schema: {},
      migrationsFolder: join(dir, 'drizzle'),
      migrationsTable: table,
      poolSize: 1,
    });
    await database.close();
  }
}
