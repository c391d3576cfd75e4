import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import {
  loadSettings as loadPaymentsSettings,
  startPaymentsApi,
  type RunningPaymentsApi,
} from '@oms/payments-api';
import { ORDER_STATUSES, REVENUE_STATUSES } from '@oms/order-lifecycle';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, startOrdersApi, type OrdersApi } from '../src/app.js';
import { openOrdersDatabase, seedDatabases } from '../src/seed/seed-databases.js';
import { assertInvariants } from './support/invariants.js';
import { ordersEnv, paymentsEnv, postGraphQL, type GraphQLResponse } from './support/stack.js';

const ORDERS = 300;
const STATS = `query { orderStats { byStatus { status count } revenue { currency amount } } }`;

interface Stats {
  byStatus: { status: string; count: number }[];
  revenue: { currency: string; amount: number }[];
}

describe('pnpm seed', () => {
  let ordersDb: TestDatabase;
  let paymentsDb: TestDatabase;
  let payments: RunningPaymentsApi | undefined;
  let orders: OrdersApi | undefined;
  let seededByStatus: Record<string, number> = {};

  beforeAll(async () => {
    [ordersDb, paymentsDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const paymentsSettings = loadPaymentsSettings(paymentsEnv(paymentsDb));
    const ordersSettings = loadSettings(ordersEnv(ordersDb, 'http://127.0.0.1:1'));
    const result = await seedDatabases(ordersSettings, paymentsSettings, { orders: ORDERS });
    expect(result.orders).toBe(ORDERS);
    // As seeded, before any service moves an order on.
    const db = await openOrdersDatabase(ordersSettings);
    try {
      const rows = await db.query<{ status: string; count: number }>(
        'select status, count(*)::int as count from orders group by status',
        [],
      );
      seededByStatus = Object.fromEntries(rows.map((r) => [r.status, r.count]));
    } finally {
      await db.close();
    }
    payments = await startPaymentsApi(paymentsSettings);
    orders = await startOrdersApi(
      loadSettings(ordersEnv(ordersDb, payments.url)),
      pino({ level: 'silent' }),
    );
  });
  afterAll(async () => {
    await orders?.close();
    await payments?.close();
    await Promise.all([ordersDb.dispose(), paymentsDb.dispose()]);
  });

  it('writes every status', () => {
    for (const status of ORDER_STATUSES) expect(seededByStatus[status]).toBeGreaterThan(0);
    expect(Object.values(seededByStatus).reduce((a, b) => a + b, 0)).toBe(ORDERS);
  });

  it('writes histories and payments that keep the invariants, once the system has carried on', async () => {
    if (orders === undefined || payments === undefined) throw new Error('not started');
    const report = await assertInvariants({ graphqlUrl: orders.url, paymentsUrl: payments.url });
    expect(report.orders).toBe(ORDERS);

    // orderStats agrees with the orders themselves: all of them, and the revenue (which
    // deliveries still running meanwhile cannot change).
    const answer = await postGraphQL<{ orderStats: Stats }>(orders.url, STATS);
    const stats = answer.data?.orderStats;
    if (stats === undefined) throw new Error(JSON.stringify(answer));
    expect(stats.byStatus.reduce((sum, s) => sum + s.count, 0)).toBe(ORDERS);
    expect(stats.byStatus.find((s) => s.status === 'CANCELLED')?.count).toBe(
      report.byStatus.CANCELLED,
    );
    const revenue = new Map<string, number>();
    for (const order of await allOrders(orders.url)) {
      if (!(REVENUE_STATUSES as readonly string[]).includes(order.status)) continue;
      revenue.set(order.currency, (revenue.get(order.currency) ?? 0) + order.total);
    }
    expect(revenue.size).toBeGreaterThan(1);
    expect(stats.revenue).toEqual(
      [...revenue]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([currency, amount]) => ({ currency, amount })),
    );
  });
});

interface Listed {
  status: string;
  total: number;
  currency: string;
}

/** Every order, page by page, through the API. */
async function allOrders(url: string): Promise<Listed[]> {
  const found: Listed[] = [];
  let after: string | null = null;
  for (;;) {
    const page: GraphQLResponse<{ orders: Page }> = await postGraphQL<{ orders: Page }>(
      url,
      `query ($after: String) { orders(first: 100, after: $after) {
        edges { node { status total currency } } pageInfo { hasNextPage endCursor } } }`,
      { after },
    );
    const orders = page.data?.orders;
    if (orders === undefined) throw new Error(JSON.stringify(page));
    found.push(...orders.edges.map((e) => e.node));
    if (!orders.pageInfo.hasNextPage) return found;
    after = orders.pageInfo.endCursor;
  }
}

interface Page {
  edges: { node: Listed }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
