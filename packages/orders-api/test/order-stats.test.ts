import { rm } from 'node:fs/promises';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { ORDER_STATUSES } from '@oms/order-lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_CUSTOMER_ACCESS, bearer, signToken } from './support/access.js';
import { seed } from '../src/seed/seed-writer.js';
import { overSocket } from './support/operations.js';
import {
  migrationsBefore,
  openMigratedWith,
  openOrdersDatabase,
} from './support/orders-database.js';
import { OrdersProcess } from './support/orders-process.js';
import {
  PAYMENTS_NEVER_ANSWER,
  Stack,
  eventually,
  orderInput,
  ordersEnv,
  postGraphQL,
} from './support/stack.js';

const STATS = `query { orderStats {
  byStatus { status count }
  revenue { currency amount }
  createdPerMinute { minute count }
} }`;
const CREATE = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { id total } }`;
const CANCEL = `mutation Cancel($id: ID!) { cancelOrder(id: $id) { id status } }`;

interface Stats {
  byStatus: { status: string; count: number }[];
  revenue: { currency: string; amount: number }[];
  createdPerMinute: { minute: string; count: number }[];
}

const counts = (stats: Stats) => Object.fromEntries(stats.byStatus.map((s) => [s.status, s.count]));
const created = (stats: Stats) => stats.createdPerMinute.reduce((sum, m) => sum + m.count, 0);

/** Sixty whole minutes, one apart, oldest first, the last one the current minute. */
function expectLastHour(stats: Stats): void {
  const minutes = stats.createdPerMinute.map((m) => Date.parse(m.minute));
  expect(minutes).toHaveLength(60);
  for (const [i, at] of minutes.entries()) {
    expect(at % 60_000).toBe(0);
    if (i > 0) expect(at - (minutes[i - 1] ?? 0)).toBe(60_000);
  }
  const now = Date.now();
  expect(minutes[59]).toBeLessThanOrEqual(now);
  expect(minutes[59]).toBeGreaterThan(now - 2 * 60_000);
}

describe('orderStats', () => {
  let stack: Stack;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let admin: Record<string, string>;
  let adminToken: string;

  beforeAll(async () => {
    // Payments answer at once; deliveries are an hour away, so confirmed orders stay CONFIRMED.
    stack = await Stack.start({
      orders: { ...PER_CUSTOMER_ACCESS, DELIVERY_DELAY_SECONDS: '3600' },
    });
    alice = bearer(await signToken({ sub: 'stats-alice' }));
    bob = bearer(await signToken({ sub: 'stats-bob' }));
    adminToken = await signToken({ sub: 'support-1', roles: ['admin'] });
    admin = bearer(adminToken);
  });
  afterAll(() => stack.close());

  async function stats(headers: Record<string, string>): Promise<Stats> {
    const result = await stack.gql<{ orderStats: Stats }>(STATS, {}, headers);
    if (result.data === undefined || result.data === null) throw new Error(JSON.stringify(result));
    return result.data.orderStats;
  }
  async function create(headers: Record<string, string>, overrides: Record<string, unknown>) {
    const result = await stack.gql<{ createOrder: { id: string; total: number } }>(
      CREATE,
      { input: orderInput(overrides) },
      headers,
    );
    if (!result.data?.createOrder) throw new Error(JSON.stringify(result));
    return result.data.createOrder;
  }

  it('lists every status at zero, no revenue and sixty empty minutes on an empty database', async () => {
    const empty = await stats(admin);
    expect(empty.byStatus).toEqual(ORDER_STATUSES.map((status) => ({ status, count: 0 })));
    expect(empty.revenue).toEqual([]);
    expectLastHour(empty);
    expect(created(empty)).toBe(0);
  });

  it('moves with create, confirm and cancel; revenue per currency for CONFIRMED and DELIVERED only', async () => {
    const a = await create(alice, { currency: 'EUR', paymentToken: 'tok_approve' });
    const b = await create(bob, { currency: 'USD', paymentToken: 'tok_approve' });
    const confirmed = await eventually(
      () => stats(admin),
      (s) => counts(s).CONFIRMED === 2,
    );
    expect(counts(confirmed)).toEqual({ CREATED: 0, CONFIRMED: 2, DELIVERED: 0, CANCELLED: 0 });
    expect(confirmed.revenue).toEqual([
      { currency: 'EUR', amount: a.total },
      { currency: 'USD', amount: b.total },
    ]);
    expect(created(confirmed)).toBe(2);
    expectLastHour(confirmed);

    const cancelled = await stack.gql(CANCEL, { id: a.id }, admin);
    expect(cancelled.errors).toBeUndefined();
    // Declined: created, then cancelled, never revenue.
    await create(alice, { currency: 'GBP', paymentToken: 'tok_decline' });
    const after = await eventually(
      () => stats(admin),
      (s) => counts(s).CANCELLED === 2,
    );
    expect(counts(after)).toEqual({ CREATED: 0, CONFIRMED: 1, DELIVERED: 0, CANCELLED: 2 });
    expect(after.revenue).toEqual([{ currency: 'USD', amount: b.total }]);
    expect(created(after)).toBe(3);
  });

  it("shows a customer their own orders' figures only", async () => {
    const own = await stats(alice);
    expect(counts(own)).toEqual({ CREATED: 0, CONFIRMED: 0, DELIVERED: 0, CANCELLED: 2 });
    expect(own.revenue).toEqual([]);
    expect(created(own)).toBe(2);
    expectLastHour(own);
    const bobs = await stats(bob);
    expect(counts(bobs)).toEqual({ CREATED: 0, CONFIRMED: 1, DELIVERED: 0, CANCELLED: 0 });
    expect(bobs.revenue).toHaveLength(1);
    expect(created(bobs)).toBe(1);
  });

  it('answers the same over a WebSocket', async () => {
    const overHttp = await stats(admin);
    const answer = await overSocket<{ orderStats: Stats }>(
      stack,
      STATS,
      {},
      {
        authorization: `Bearer ${adminToken}`,
      },
    );
    expect(answer.errors).toEqual([]);
    expect(answer.data?.orderStats.byStatus).toEqual(overHttp.byStatus);
    expect(answer.data?.orderStats.revenue).toEqual(overHttp.revenue);
  });
});

/** PGlite lives inside one process; sharing a database between processes needs a server. */
const serverUrl = process.env.TEST_DATABASE_URL;

describe.skipIf(!serverUrl)('orderStats from two processes on one database', () => {
  let db: TestDatabase | undefined;
  const processes: OrdersProcess[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = ordersEnv(db, PAYMENTS_NEVER_ANSWER.PAYMENTS_URL, PAYMENTS_NEVER_ANSWER);
    processes.push(
      ...(await Promise.all([
        OrdersProcess.start(env, { name: 'orders-stats-1' }),
        OrdersProcess.start(env, { name: 'orders-stats-2' }),
      ])),
    );
  });
  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await db?.dispose();
  });

  it('counts the orders created through either, and both agree', async () => {
    const [first, second] = processes;
    if (first === undefined || second === undefined) throw new Error('not started');
    const creations = [first, first, first, second, second].map((p) =>
      postGraphQL(p.url, CREATE, { input: orderInput({ currency: 'EUR' }) }),
    );
    for (const result of await Promise.all(creations)) expect(result.errors).toBeUndefined();
    const [one, two] = await Promise.all(
      [first, second].map(async (p) => {
        const result = await postGraphQL<{ orderStats: Stats }>(p.url, STATS);
        if (!result.data) throw new Error(JSON.stringify(result));
        return result.data.orderStats;
      }),
    );
    if (one === undefined || two === undefined) throw new Error('no answer');
    // Minutes may roll over between the two reads; the figures may not differ.
    expect(one.byStatus).toEqual(two.byStatus);
    expect(one.revenue).toEqual(two.revenue);
    expect(created(two)).toBe(5);
    expect(counts(one)).toEqual({ CREATED: 5, CONFIRMED: 0, DELIVERED: 0, CANCELLED: 0 });
    expect(created(one)).toBe(5);
  });
});

describe('orderStats counters on a database that had orders before them', () => {
  let db: TestDatabase | undefined;
  let folder: string | undefined;

  afterAll(async () => {
    await db?.dispose();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it('counts the existing orders when migration 0007 adds the counters', async () => {
    db = await createTestDatabase();
    folder = await migrationsBefore(7);
    const before = await openMigratedWith(db, folder);
    try {
      // Written before the counters exist (no payments: only the orders are counted here).
      await seed({ orders: before }, { orders: 200, pending: true });
    } finally {
      await before.close();
    }
    const after = await openOrdersDatabase(db);
    try {
      const [rows, counted] = await Promise.all([
        after.query<{ status: string; currency: string; count: string; amount: string }>(
          `select status, currency, count(*)::text as count, sum(total)::text as amount
           from orders group by 1, 2 order by 1, 2`,
          [],
        ),
        after.query<{ status: string; currency: string; count: string; amount: string }>(
          `select status, currency, sum(count)::text as count, sum(amount)::text as amount
           from order_stats_totals group by 1, 2 having sum(count) <> 0 order by 1, 2`,
          [],
        ),
      ]);
      expect(rows.length).toBeGreaterThan(4);
      expect(counted).toEqual(rows);
      const [minutes] = await after.query<{ counted: string; created: string }>(
        `select (select sum(count) from order_stats_minutes)::text as counted,
                (select count(*) from orders)::text as created`,
        [],
      );
      expect(minutes?.counted).toBe(minutes?.created);
    } finally {
      await after.close();
    }
  });
});
