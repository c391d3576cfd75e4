import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { queryRows, sql, type DatabaseHandle } from '@oms/database';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { isValidPath, type OrderEvent, type OrderStatus } from '@oms/order-lifecycle';
import { afterEach, describe, expect, it } from 'vitest';
import { openOrdersDatabase, waitForLogHorizon } from './support/orders-database.js';
import { newOrderId } from '../src/domain/order-ids.js';
import type { AppliedTransition } from '../src/domain/order-ports.js';
import { OrdersService } from '../src/domain/orders.service.js';
import { DEMO_CUSTOMER_ID, DEMO_PRINCIPAL } from '../src/domain/principal.js';
import {
  ordersPersistence,
  type OrdersPersistence,
} from '../src/persistence/orders-persistence.js';
import type { OrdersSchema } from '../src/persistence/schema.js';

/** Row locks and SKIP LOCKED only mean something with two real connections: a server. */
const serverUrl = process.env.TEST_DATABASE_URL;
const LEASE_SECONDS = 600;
const SLOW_LINK_MS = 300;

type Handle = DatabaseHandle<OrdersSchema>;
/** One pool's persistence, as one process has it. */
type Store = OrdersPersistence & { db: Handle['db'] };

/** Confirmed orders fall due for delivery this long after (no delivery races these tests). */
const DELIVERY_DELAY_SECONDS = 60;
const store = (handle: Handle): Store => ({
  ...ordersPersistence(handle, { delays: { deliveryDelay: DELIVERY_DELAY_SECONDS } }),
  db: handle.db,
});
const serviceOf = (s: Store) =>
  new OrdersService({ repository: s.repository, cancellation: s.transitions });

describe.skipIf(!serverUrl)('order persistence under concurrency (two connection pools)', () => {
  let testDb: TestDatabase | undefined;
  const handles: Handle[] = [];
  const links: SlowLink[] = [];

  /** A fresh database and two separate pools on it, as two processes would have. */
  async function twoPools(): Promise<[Store, Store, Handle]> {
    testDb = await createTestDatabase();
    const db = testDb;
    const open = () => openOrdersDatabase(db, { poolSize: 8 });
    const [a, b] = await Promise.all([open(), open()]);
    handles.push(a, b);
    return [store(a), store(b), a];
  }

  afterEach(async () => {
    await Promise.all(handles.splice(0).map((h) => h.close()));
    await Promise.all(links.splice(0).map((l) => l.close()));
    await testDb?.dispose();
    testDb = undefined;
  });

  it('never hands the same payment job to two concurrent claims', async () => {
    const [a, b] = await twoPools();
    const ids = await insertOrders(a, 300);
    const claimedBy = new Map<string, string[]>();
    const deadline = Date.now() + 20_000;
    for (let round = 0; round < 200 && Date.now() < deadline; round++) {
      // Four claimers per pool at once, each taking up to seven jobs.
      const claimers = [a, a, a, a, b, b, b, b].map(async (pool, n) => {
        await jitter();
        const jobs = await pool.jobs.claimCalls(7, LEASE_SECONDS);
        for (const job of jobs) {
          claimedBy.set(job.id, [...(claimedBy.get(job.id) ?? []), `${n < 4 ? 'a' : 'b'}${n}`]);
        }
        return jobs.length;
      });
      const counts = await Promise.all(claimers);
      if (counts.every((c) => c === 0) && claimedBy.size === ids.length) break;
    }
    const twice = [...claimedBy].filter(([, claimers]) => claimers.length > 1);
    expect(twice).toEqual([]);
    expect(new Set(claimedBy.keys())).toEqual(new Set(ids));
    const pools = new Set([...claimedBy.values()].map((c) => c[0]?.[0]));
    expect(pools).toEqual(new Set(['a', 'b']));
    // The database agrees: each order was claimed once (one attempt, one claim token).
    const rows = await queryRows<{ attempts: number; tokens: number }>(
      a.db,
      sql`select max(attempts)::int as attempts, count(distinct claim_token)::int as tokens from orders`,
    );
    expect(rows).toEqual([{ attempts: 1, tokens: ids.length }]);
  });

  it('delivers each due order once when two pools deliver at the same time', async () => {
    const [a, b] = await twoPools();
    const ids = await insertOrders(a, 200);
    // Confirmed with no delivery delay: every delivery is due at once.
    await ordersPersistence(handles[0] as Handle, {
      delays: { deliveryDelay: 0 },
    }).transitions.apply(
      { kind: 'ids', ids, paymentIds: ids.map(() => 'pay') },
      'PAYMENT_CONFIRMED',
    );
    const delivered: AppliedTransition[] = [];
    const deadline = Date.now() + 20_000;
    for (let round = 0; round < 200 && Date.now() < deadline; round++) {
      const batches = await Promise.all(
        [a, a, a, b, b, b].map(async (pool) => {
          await jitter();
          return pool.transitions.apply(
            { kind: 'due', followUp: 'DELIVER', limit: 9 },
            'DELIVERY_DUE',
          );
        }),
      );
      delivered.push(...batches.flat());
      if (batches.every((batch) => batch.length === 0)) break;
    }
    expect(delivered.map((d) => d.id).sort()).toEqual([...ids].sort());
    expect(new Set(delivered.map((d) => d.version))).toEqual(new Set([3]));
  });

  it('lets exactly one of several racing transitions win, with one history row and one event each', async () => {
    const [a, b] = await twoPools();
    const start = await a.log.head();
    const ids = await insertOrders(a, 300);
    // Every order had its payment call started, so a cancel must queue a release of the money.
    await claimAll(a, ids.length);
    const cancels = serviceOf(a);

    const outcomes: { id: string; race: string; applied: string[] }[] = [];
    const deadline = Date.now() + 25_000;
    for (const [n, id] of ids.entries()) {
      if (Date.now() > deadline) break;
      const race = RACES[n % RACES.length] ?? [confirm];
      const runners = race.map(async (runner, i) => {
        await jitter();
        return runner.run(i % 2 === 0 ? a : b, cancels, id);
      });
      outcomes.push({
        id,
        race: race.map((r) => r.name).join(' vs '),
        applied: (await Promise.all(runners)).flat(),
      });
    }
    expect(outcomes.length).toBeGreaterThanOrEqual(100);

    const rows = await queryRows<{
      id: string;
      status: OrderStatus;
      version: number;
      next_action: string | null;
      payment_id: string | null;
      path: OrderStatus[];
      seqs: number[];
    }>(
      a.db,
      sql`select o.id, o.status, o.version, o.next_action, o.payment_id,
                 array_agg(t.to_status order by t.seq)::text[] as path,
                 array_agg(t.seq order by t.seq)::int[] as seqs
          from orders o join order_transitions t on t.order_id = o.id
          group by o.id`,
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const outcome of outcomes) {
      const row = byId.get(outcome.id);
      const label = `${outcome.race}: ${outcome.id} applied ${outcome.applied.join(', ')}`;
      expect(row, label).toBeDefined();
      if (row === undefined) continue;
      expect(isValidPath(row.path), `${label}: ${row.path.join(' > ')}`).toBe(true);
      expect(row.seqs, label).toEqual(row.path.map((_, i) => i + 1));
      expect(row.version, label).toBe(row.path.length);
      // Exactly one event won the contested CREATED state, and the row shows it.
      const fromCreated = outcome.applied.filter((e) => e !== 'CANCEL_AFTER_CONFIRM');
      expect(fromCreated, label).toHaveLength(1);
      expect(row.path[1], label).toBe(TARGET[fromCreated[0] as OrderEvent]);
      expect(row.status, label).toBe(row.path.at(-1));
      // Money follows the state: confirmed orders deliver; a cancelled order whose payment was
      // confirmed (before or after the cancel) releases that payment, by its id.
      if (row.status === 'CONFIRMED')
        expect([row.next_action, row.payment_id], label).toEqual(['DELIVER', PAID]);
      if (row.status === 'CANCELLED') expect(row.next_action, label).toBe('RELEASE_PAYMENT');
      if (
        row.status === 'CANCELLED' &&
        outcome.race.includes('cancel') &&
        outcome.race.includes('confirm')
      ) {
        expect(row.payment_id, label).toBe(PAID);
      }
    }

    // One event per committed transition: the transition log, read in batches from before the
    // first order, holds `<id>:<seq>` for every history row, none twice, each order's in order.
    const expected = rows.flatMap((r) => r.seqs.map((seq) => `${r.id}:${seq}`)).sort();
    // The log shows only transactions older than every one still running on the server.
    await waitForLogHorizon();
    const events: string[] = [];
    let cursor = start;
    for (let batch = await b.log.read(cursor, 97); batch.length > 0;) {
      events.push(...batch.map((e) => `${e.orderId}:${e.version}`));
      cursor = batch.at(-1)?.at ?? cursor;
      batch = await b.log.read(cursor, 97);
    }
    expect([...events].sort()).toEqual(expected);
    const versionsOf = (id: string) =>
      events.filter((e) => e.startsWith(`${id}:`)).map((e) => Number(e.split(':')[1]));
    for (const id of ids) {
      const versions = versionsOf(id);
      expect(versions, id).toEqual([...versions].sort((x, y) => x - y));
    }
  });

  it('never stamps a transition earlier than the one it follows (cancel after a confirmation)', async () => {
    const [a, b] = await twoPools();
    const ids = await insertOrders(a, 1);
    await claimAll(a, 1);
    const id = ids[0] ?? '';
    // The API's cancel, over a link to the database that turns slow (300 ms towards the server:
    // a remote database, a busy process): its transaction begins, and while its next statement
    // is on the way, the payment answer commits on another connection.
    const link = await SlowLink.start(new URL(testDb?.url ?? ''));
    links.push(link);
    const slow = await openOrdersDatabase(testDb as TestDatabase, { url: link.url, poolSize: 1 });
    handles.push(slow);
    await slow.ping();
    link.delayMs = SLOW_LINK_MS;
    const cancelling = serviceOf(store(slow)).cancelOrder(DEMO_PRINCIPAL, id, null);
    // The cancel is one statement: the answer commits while it is still on its way.
    await new Promise((resolve) => setTimeout(resolve, SLOW_LINK_MS * 0.5));
    expect(await answer(b, id, 'PAYMENT_CONFIRMED')).toEqual(['PAYMENT_CONFIRMED']);
    const order = await cancelling;

    const history = order.history.map((h) => `${h.to}@${h.at.toISOString()}`).join(' > ');
    expect(order.history.map((h) => h.to)).toEqual(['CREATED', 'CONFIRMED', 'CANCELLED']);
    const [, confirmed, cancelled] = order.history;
    // The cancellation came after the confirmation it cancelled; its timestamp must say so.
    expect(cancelled?.at.getTime(), history).toBeGreaterThanOrEqual(
      confirmed?.at.getTime() ?? Infinity,
    );
  });
});

/** The payment id a confirming worker records. */
const PAID = 'pay-raced';

const TARGET: Record<OrderEvent, OrderStatus> = {
  PAYMENT_CONFIRMED: 'CONFIRMED',
  PAYMENT_DECLINED: 'CANCELLED',
  PAYMENT_FAILED: 'CANCELLED',
  DELIVERY_DUE: 'DELIVERED',
  CANCEL_REQUESTED: 'CANCELLED',
};

/** One side of a race; `run` resolves to the events it applied. */
interface Runner {
  name: string;
  run(store: Store, cancels: OrdersService, id: string): Promise<string[]>;
}

/** What the worker does with a payment answer (order-worker.ts `pay`), on a given pool. */
async function answer(store: Store, id: string, event: OrderEvent): Promise<string[]> {
  const confirmed = event === 'PAYMENT_CONFIRMED';
  const applied = await store.transitions.apply(
    { kind: 'ids', ids: [id], paymentIds: [PAID] },
    event,
  );
  if (applied.length === 0 && confirmed) {
    await store.transitions.queueLateReleases([{ id, paymentId: PAID }]);
  }
  return applied.map(() => event);
}

const confirm: Runner = {
  name: 'confirm',
  run: (store, _cancels, id) => answer(store, id, 'PAYMENT_CONFIRMED'),
};
const decline: Runner = {
  name: 'decline',
  run: (store, _cancels, id) => answer(store, id, 'PAYMENT_DECLINED'),
};
/** A cancel decided on a CREATED order: the guarded transition alone. */
const cancelCreated: Runner = {
  name: 'cancel',
  async run(store, _cancels, id) {
    const applied = await store.transitions.apply({ kind: 'ids', ids: [id] }, 'CANCEL_REQUESTED', {
      from: ['CREATED'],
      requester: { kind: 'CUSTOMER', id: DEMO_CUSTOMER_ID },
    });
    return applied.map(() => 'CANCEL_REQUESTED');
  },
};
/** The API's cancel (lock, read the state and transition, one statement): after a confirm, it cancels that. */
const cancelViaService: Runner = {
  name: 'cancel (service)',
  async run(_store, cancels, id) {
    const order = await cancels.cancelOrder(DEMO_PRINCIPAL, id, null);
    const [, contested, after] = order.history.map((h) => h.to);
    if (contested === 'CANCELLED') return ['CANCEL_REQUESTED'];
    return after === 'CANCELLED' ? ['CANCEL_AFTER_CONFIRM'] : [];
  },
};

const RACES: Runner[][] = [
  [cancelCreated, confirm],
  [confirm, confirm],
  [cancelCreated, confirm, decline],
  [cancelViaService, confirm],
];

async function insertOrders(store: Store, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => newOrderId());
  for (let i = 0; i < ids.length; i += 20) {
    await Promise.all(
      ids.slice(i, i + 20).map((id) =>
        store.repository.insert({
          id,
          customerId: DEMO_CUSTOMER_ID,
          currency: 'EUR',
          total: 1_000,
          items: [{ sku: 'SKU-1', name: 'Widget', quantity: 1, unitPrice: 1_000 }],
          paymentToken: 'tok_approve',
          idempotencyKey: null,
          requestHash: null,
          traceParent: null,
        }),
      ),
    );
  }
  return ids;
}

/** Claims every due payment job, as a worker starting the calls would. */
async function claimAll(store: Store, count: number): Promise<void> {
  let claimed = 0;
  for (let round = 0; round < 50 && claimed < count; round++) {
    claimed += (await store.jobs.claimCalls(100, LEASE_SECONDS)).length;
  }
  expect(claimed).toBe(count);
}

/** A random pause of 0 to 3 ms, so the racers arrive in every order. */
function jitter(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 4)));
}

/**
 * A loopback TCP relay to PostgreSQL that can delay what the client sends by `delayMs` (answers
 * come back at once): a slow link, without touching the code under test.
 */
class SlowLink {
  /** Delay for what the client sends from now on; 0 passes it straight through. */
  delayMs = 0;

  private constructor(
    private readonly server: Server,
    private readonly sockets: Set<Socket>,
    readonly url: string,
  ) {}

  static async start(target: URL): Promise<SlowLink> {
    const sockets = new Set<Socket>();
    let link: SlowLink | null = null;
    const server = createServer((client) => {
      const upstream = connect(Number(target.port || 5432), target.hostname);
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      // The delay only grows (0, then a constant), so chunks keep their order.
      client.on('data', (chunk) => {
        const delay = link?.delayMs ?? 0;
        if (delay === 0) upstream.write(chunk);
        else setTimeout(() => upstream.write(chunk), delay);
      });
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    const url = new URL(target);
    url.hostname = '127.0.0.1';
    url.port = String((server.address() as AddressInfo).port);
    link = new SlowLink(server, sockets, url.toString());
    return link;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}
