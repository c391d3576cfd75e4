import type { DatabaseHandle } from '@oms/database';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrdersDatabase } from './support/orders-database.js';
import type { OrderView } from '../src/domain/order.model.js';
import { newOrderId } from '../src/domain/order-ids.js';
import { OrderEventStream } from '../src/events/order-event-stream.js';
import {
  ordersPersistence,
  type OrdersPersistence,
} from '../src/persistence/orders-persistence.js';
import type { OrdersSchema } from '../src/persistence/schema.js';
import { insertCreatedOrder as insert } from './support/orders-database.js';
import type { LogEntry, LogPosition } from '../src/persistence/transition-log.js';

/** Transactions that overlap need two real connections: a server. */
const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)('the transition log read by position', () => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle<OrdersSchema>;
  let store: OrdersPersistence;
  /** A second pool, as another process would have. */
  let other: DatabaseHandle<OrdersSchema>;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    handle = await openOrdersDatabase(testDb);
    store = ordersPersistence(handle, { delays: { deliveryDelay: 0 } });
    other = await openOrdersDatabase(testDb, { poolSize: 2 });
  });
  afterAll(async () => {
    await other.close();
    await handle.close();
    await testDb.dispose();
  });

  /** Inserts order `id` in a transaction of the second pool that stays open until `commit`. */
  async function holdOpen(id: string): Promise<{ commit(): Promise<void> }> {
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    let inserted: () => void = () => undefined;
    const written = new Promise<void>((resolve) => {
      inserted = resolve;
    });
    const transaction = other.db.transaction(async (tx) => {
      await tx.execute(insert(id));
      inserted();
      await released;
    });
    await written;
    return {
      commit: async () => {
        release();
        await transaction;
      },
    };
  }

  /** Everything readable after `from`, in small batches. */
  async function readAll(from: LogPosition): Promise<{ entries: LogEntry[]; end: LogPosition }> {
    const entries: LogEntry[] = [];
    let end = from;
    for (let batch = await store.log.read(end, 2); batch.length > 0;) {
      entries.push(...batch);
      end = batch.at(-1)?.at ?? end;
      batch = await store.log.read(end, 2);
    }
    return { entries, end };
  }

  /** Reads until `count` entries have come after `from` (or 15 s), then what else there is. */
  async function readUntil(from: LogPosition, count: number) {
    const deadline = Date.now() + 15_000;
    let read = await readAll(from);
    while (read.entries.length < count && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const more = await readAll(read.end);
      read = { entries: [...read.entries, ...more.entries], end: more.end };
    }
    return read;
  }

  it('delivers a transaction that commits after a later one: once, in order, never skipped', async () => {
    const start = await store.log.head();
    const [early, late, after] = [newOrderId(), newOrderId(), newOrderId()];
    // `early` takes its transaction id first and commits last.
    const earlyTx = await holdOpen(early);
    await other.db.execute(insert(late));

    // `late` is committed and visible, but it is not read while `early` may still commit
    // before it: reading it now would move the position past where `early` will appear.
    const visible = await handle.query<{ id: string }>(`select id from orders where id = $1`, [
      late,
    ]);
    expect(visible).toHaveLength(1);
    const before = await readAll(start);
    expect(before.entries.map((e) => e.orderId)).toEqual([]);

    await earlyTx.commit();
    // Readable once every transaction older than both has ended, in this database or another
    // one on the server (tests running beside this one may hold the horizon for a moment).
    const first = await readUntil(before.end, 2);
    expect(first.entries.map((e) => e.orderId)).toEqual([early, late]);
    expect(first.entries.map((e) => [e.version, e.from, e.to])).toEqual([
      [1, null, 'CREATED'],
      [1, null, 'CREATED'],
    ]);

    // Read on from there: each once, then what comes next.
    await other.db.execute(insert(after));
    const rest = await readUntil(first.end, 1);
    expect(rest.entries.map((e) => e.orderId)).toEqual([after]);
  });

  it('publishes the late transaction to subscribers once, in order, after the earlier ones', async () => {
    const stream = new OrderEventStream(
      store.log,
      (ids) => store.repository.findMany(ids),
      pino({ level: 'silent' }),
      { batchSize: 2, idlePollMs: 20 },
    );
    await stream.start();
    const seen: OrderView[] = [];
    const all = stream.subscribe(null)[Symbol.asyncIterator]();
    const collecting = (async () => {
      for (;;) {
        const next = await all.next();
        if (next.done === true) return;
        seen.push(next.value);
      }
    })();
    try {
      const [early, late] = [newOrderId(), newOrderId()];
      const earlyTx = await holdOpen(early);
      await other.db.execute(insert(late));
      // Confirm `late` while `early` is still open: two events of `late`, after `early`'s one.
      await store.transitions.apply(
        { kind: 'ids', ids: [late], paymentIds: ['pay-late'] },
        'PAYMENT_CONFIRMED',
      );
      stream.wake();
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.filter((o) => o.id === early || o.id === late)).toEqual([]);
      await earlyTx.commit();
      stream.wake();
      const ours = () => seen.filter((o) => o.id === early || o.id === late);
      const deadline = Date.now() + 15_000;
      while (ours().length < 3 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ours().map((o) => [o.id, o.status])).toEqual([
        [early, 'CREATED'],
        [late, 'CREATED'],
        [late, 'CONFIRMED'],
      ]);
    } finally {
      await all.return?.();
      await collecting;
      await stream.stop();
    }
  });
});
