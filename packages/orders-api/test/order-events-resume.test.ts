import type { DatabaseHandle } from '@oms/database';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openOrdersDatabase } from './support/orders-database.js';
import type { EventPosition } from '../src/domain/event-cursor.js';
import type { OrderEvent, OrderEventFilter } from '../src/domain/order-event.js';
import { newOrderId } from '../src/domain/order-ids.js';
import { OrderEventStream } from '../src/events/order-event-stream.js';
import {
  ordersPersistence,
  type OrdersPersistence,
} from '../src/persistence/orders-persistence.js';
import type { OrdersSchema } from '../src/persistence/schema.js';
import { insertCreatedOrder as insert } from './support/orders-database.js';
import { TransitionLog, type LogEntry } from '../src/persistence/transition-log.js';

/** Transactions that overlap need two real connections: a server. */
const serverUrl = process.env.TEST_DATABASE_URL;

/** A read of the log held by the test: it runs when told, and returns when told. */
interface HeldRead {
  /** Lets the read run; resolves with how many entries it found. */
  run(): Promise<number>;
  /** Hands the entries to the subscriber. */
  finish(): void;
}

/**
 * The log as the stream and its subscribers read it, where every read a resuming subscriber
 * makes (those with a filter; the shared stream reads without one) is held while `stepping`,
 * so a test can commit exactly between two of them.
 */
class SteppedLog extends TransitionLog {
  stepping = false;
  /** Reads made by resuming subscribers. */
  reads = 0;
  private readonly held: HeldRead[] = [];
  private taker: ((read: HeldRead) => void) | null = null;

  override async read(
    from: EventPosition,
    limit: number,
    filter?: OrderEventFilter,
  ): Promise<LogEntry[]> {
    if (filter === undefined) return super.read(from, limit);
    this.reads++;
    if (!this.stepping) return super.read(from, limit, filter);
    let go: () => void = () => undefined;
    let finish: () => void = () => undefined;
    let found: (count: number) => void = () => undefined;
    const running = new Promise<void>((resolve) => (go = resolve));
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const count = new Promise<number>((resolve) => (found = resolve));
    this.hand({
      run: () => {
        go();
        return count;
      },
      finish,
    });
    await running;
    const entries = await super.read(from, limit, filter);
    found(entries.length);
    await finished;
    return entries;
  }

  /** The next read a subscriber makes, held. */
  nextRead(): Promise<HeldRead> {
    const waiting = this.held.shift();
    if (waiting !== undefined) return Promise.resolve(waiting);
    return new Promise((resolve) => (this.taker = resolve));
  }

  private hand(read: HeldRead): void {
    const taker = this.taker;
    this.taker = null;
    if (taker === null) this.held.push(read);
    else taker(read);
  }
}

describe.skipIf(!serverUrl)(
  'a subscription resuming from a cursor while transitions commit',
  () => {
    let testDb: TestDatabase;
    let handle: DatabaseHandle<OrdersSchema>;
    let store: OrdersPersistence;
    /** A second pool, as another process would have. */
    let other: DatabaseHandle<OrdersSchema>;
    const cleanup: (() => Promise<unknown>)[] = [];

    beforeAll(async () => {
      testDb = await createTestDatabase();
      handle = await openOrdersDatabase(testDb);
      store = ordersPersistence(handle, { delays: { deliveryDelay: 0 } });
      other = await openOrdersDatabase(testDb, { poolSize: 3 });
    });
    afterEach(async () => {
      for (const step of cleanup.splice(0).reverse()) await step();
    });
    afterAll(async () => {
      await other.close();
      await handle.close();
      await testDb.dispose();
    });

    /** A stream over a stepped log, started, with a subscriber to everything to watch it publish. */
    async function startStream(options: { maxQueuedPerSubscriber?: number } = {}) {
      const log = new SteppedLog(handle);
      const stream = new OrderEventStream(
        log,
        (ids) => store.repository.findMany(ids),
        pino({ level: 'silent' }),
        { batchSize: BATCH, idlePollMs: 10, ...options },
      );
      await stream.start();
      const published: string[] = [];
      const watcher = stream.subscribe(null);
      const watching = (async () => {
        for (;;) {
          const next = await watcher.next();
          if (next.done === true) return;
          published.push(next.value.id);
        }
      })();
      cleanup.push(async () => {
        await watcher.return?.();
        await watching;
        await stream.stop();
      });
      /** Resolves once the shared stream has published every one of `ids`. */
      const publishedAll = async (ids: string[]) => {
        const deadline = Date.now() + 15_000;
        while (!ids.every((id) => published.includes(id))) {
          if (Date.now() > deadline) throw new Error(`not published: ${ids.join(', ')}`);
          stream.wake();
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };
      return { log, stream, publishedAll };
    }

    /** Reads a subscription into an array as it arrives. */
    function collect(events: AsyncIterableIterator<OrderEvent>) {
      const seen: OrderEvent[] = [];
      const reading = (async () => {
        for (;;) {
          const next = await events.next();
          if (next.done === true) return;
          seen.push(next.value);
        }
      })();
      cleanup.push(async () => {
        await events.return?.();
        await reading;
      });
      /** Resolves once `count` events have arrived, and then a moment more for any extra. */
      const atLeast = async (count: number) => {
        const deadline = Date.now() + 15_000;
        while (seen.length < count) {
          if (Date.now() > deadline) {
            throw new Error(
              `got ${seen.length} of ${count}: ${seen.map((e) => e.orderId).join(', ')}`,
            );
          }
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
        return seen;
      };
      return { seen, atLeast };
    }

    /** Commits one new order in its own transaction of the other pool. */
    async function commitOrder(): Promise<string> {
      const id = newOrderId();
      await other.db.execute(insert(id));
      return id;
    }

    /** Inserts an order in a transaction of the other pool that stays open until `commit`. */
    async function holdOpen(): Promise<{ id: string; commit(): Promise<void> }> {
      const id = newOrderId();
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
      cleanup.push(async () => {
        release();
        await transaction;
      });
      return {
        id,
        commit: async () => {
          release();
          await transaction;
        },
      };
    }

    const BATCH = 2;
    const EVERYONE: OrderEventFilter = { orderId: null, customerId: null };

    it('hands out each event once, in order, when commits land in the queue, the replay and the switch-over', async () => {
      const { log, stream, publishedAll } = await startStream();
      const start = await store.log.head();
      const before = [await commitOrder(), await commitOrder(), await commitOrder()];
      const more = [await commitOrder(), await commitOrder()];
      await publishedAll([...before, ...more]);

      log.stepping = true;
      const sub = collect(stream.events({ after: start, filter: EVERYONE }));
      const first = await log.nextRead();
      expect(await first.run()).toBe(BATCH);
      first.finish();
      // Published live while the subscriber is replaying: queued for it, and read again by its
      // replay (a duplicate unless it is skipped by position).
      const queued = await commitOrder();
      await publishedAll([queued]);
      // A transaction that took its id first and commits last, and one after it that is committed
      // but can be neither read nor published while the first is open.
      const late = await holdOpen();
      const behindLate = await commitOrder();

      // The replay reads on until a read comes back short, and is held there: the late one commits
      // and goes out live between the last replay read and the switch to the queue.
      let short: HeldRead | null = null;
      for (let reads = 0; short === null; reads++) {
        if (reads > 10) throw new Error('the replay never came back short');
        const read = await log.nextRead();
        if ((await read.run()) < BATCH) short = read;
        else read.finish();
      }
      await late.commit();
      await publishedAll([late.id, behindLate]);
      short.finish();

      const expected = [...before, ...more, queued, late.id, behindLate];
      const seen = await sub.atLeast(expected.length);
      expect(seen.map((e) => e.orderId)).toEqual(expected);
      expect(seen.map((e) => [e.version, e.from, e.to, e.order.status])).toEqual(
        expected.map(() => [1, null, 'CREATED', 'CREATED']),
      );

      // And on, live: the next commit once.
      const next = await commitOrder();
      stream.wake();
      expect((await sub.atLeast(expected.length + 1)).map((e) => e.orderId)).toEqual([
        ...expected,
        next,
      ]);
    });

    it('drops the queue of a subscriber that falls too far behind, and catches up from the log', async () => {
      const { log, stream, publishedAll } = await startStream({ maxQueuedPerSubscriber: 1 });
      const start = await store.log.head();
      const before = [await commitOrder(), await commitOrder(), await commitOrder()];
      await publishedAll(before);

      log.stepping = true;
      const sub = collect(stream.events({ after: start, filter: EVERYONE }));
      const first = await log.nextRead();
      expect(await first.run()).toBe(BATCH);
      // Three events published while it replays: more than its queue holds.
      const meanwhile = [await commitOrder(), await commitOrder(), await commitOrder()];
      await publishedAll(meanwhile);
      const readsBefore = log.reads;
      log.stepping = false;
      first.finish();

      const expected = [...before, ...meanwhile];
      const seen = await sub.atLeast(expected.length);
      expect(seen.map((e) => e.orderId)).toEqual(expected);
      // Reads: the rest of the log (2, 2, then a short one), then, registered anew, one more.
      expect(log.reads - readsBefore).toBe(4);

      const next = await commitOrder();
      stream.wake();
      expect((await sub.atLeast(expected.length + 1)).map((e) => e.orderId)).toEqual([
        ...expected,
        next,
      ]);
    });
  },
);
