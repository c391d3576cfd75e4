import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DatabaseInUseError,
  openDatabase,
  queryRows,
  sql,
  type DatabaseHandle,
} from './database.js';
import { createTestDatabase, type TestDatabase } from './testing.js';

const migrationsFolder = fileURLToPath(new URL('./fixtures/migrations', import.meta.url));
const open = (db: TestDatabase) =>
  openDatabase({
    url: db.url,
    dataDir: db.dataDir,
    schema: {},
    migrationsFolder,
    migrationsTable: '__test_migrations',
  });

describe(`openDatabase (${process.env.TEST_DATABASE_URL ? 'PostgreSQL server' : 'embedded'})`, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function fresh(): Promise<TestDatabase> {
    const db = await createTestDatabase();
    cleanups.push(() => db.dispose());
    return db;
  }
  async function opened(db: TestDatabase): Promise<DatabaseHandle<Record<string, never>>> {
    const handle = await open(db);
    cleanups.push(() => handle.close());
    return handle;
  }

  it('applies the migrations once and runs queries on either driver', async () => {
    const handle = await opened(await fresh());
    await handle.db.execute(sql`insert into notes (body) values ('hello')`);
    const rows = await queryRows<{ body: string }>(handle.db, sql`select body from notes`);
    expect(rows).toEqual([{ body: 'hello' }]);
    await handle.ping();
    const applied = await queryRows<{ n: number }>(
      handle.db,
      sql`select count(*)::int as n from drizzle.__test_migrations`,
    );
    expect(applied).toEqual([{ n: 1 }]);
  });

  it('delivers a NOTIFY to a listener only after the transaction commits', async () => {
    const handle = await opened(await fresh());
    const received: string[] = [];
    const unlisten = await handle.listen('test_channel', (payload) => received.push(payload));
    await handle.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_notify('test_channel', 'inside')`);
      expect(received).toEqual([]);
    });
    const deadline = Date.now() + 5_000;
    while (received.length === 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual(['inside']);
    await unlisten();
  });

  it('gives every test its own empty database', async () => {
    const first = await opened(await fresh());
    await first.db.execute(sql`insert into notes (body) values ('only here')`);
    const second = await opened(await fresh());
    expect(await queryRows(second.db, sql`select * from notes`)).toEqual([]);
  });

  it.skipIf(process.env.TEST_DATABASE_URL)(
    'refuses a second opener of an embedded database while the first lives, and frees it on close',
    async () => {
      const db = await fresh();
      const first = await open(db);
      await expect(open(db)).rejects.toThrow(DatabaseInUseError);
      await first.close();
      const again = await opened(db);
      await again.ping();
    },
  );

  it.skipIf(!process.env.TEST_DATABASE_URL)(
    'lets several processes start at once: migrations run one at a time, once',
    async () => {
      const db = await fresh();
      const handles = await Promise.all([open(db), open(db), open(db)]);
      cleanups.push(async () => {
        for (const handle of handles) await handle.close();
      });
      const applied = await queryRows<{ n: number }>(
        handles[0].db,
        sql`select count(*)::int as n from drizzle.__test_migrations`,
      );
      expect(applied).toEqual([{ n: 1 }]);
    },
  );
});

describe(`query (${process.env.TEST_DATABASE_URL ? 'PostgreSQL server' : 'embedded'})`, () => {
  it('runs the same statement with array parameters and typed answers on either driver', async () => {
    const testDb = await createTestDatabase();
    const handle = await open(testDb);
    try {
      const text = `select x.id, x.n, now() as at, json_build_object('n', x.n) as doc
                    from unnest($1::uuid[], $2::int[]) as x(id, n) order by x.n`;
      const ids = ['0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c'];
      for (let round = 0; round < 3; round++) {
        const rows = await handle.query<{
          id: string;
          n: number;
          at: Date | string;
          doc: { n: number };
        }>(text, [ids, [1, 2]]);
        expect(rows.map((r) => [r.id, r.n, r.doc])).toEqual([
          [ids[0], 1, { n: 1 }],
          [ids[1], 2, { n: 2 }],
        ]);
        expect(Number.isNaN(new Date(rows[0]?.at ?? '').getTime())).toBe(false);
      }
      expect(await handle.query(`select 1 as one where $1::text[] = '{}'`, [[]])).toEqual([
        { one: 1 },
      ]);
    } finally {
      await handle.close();
      await testDb.dispose();
    }
  });
});
