import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import {
  loadSettings as loadPaymentsSettings,
  startPaymentsApi,
  type RunningPaymentsApi,
} from '@oms/payments-api';
import { freePort, postGraphQL } from '@oms/testing';
import { PaymentsRelay } from '@oms/testing/payments-relay';
import { paymentRecordsOf, readOrders } from '@oms/testing/invariants';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, startOrdersApi, type OrdersApi } from '../src/app.js';
import { assertInvariants } from './support/invariants.js';
import { scrape, sumOf, valueOf } from './support/prometheus.js';
import {
  CREATE_ORDER,
  TEST_PAYMENTS_TOKEN,
  eventually,
  orderInput,
  ordersEnv,
  paymentsEnv,
  type OrderResult,
} from './support/stack.js';

/**
 * A backlog of orders is paid in batches: orders placed while payments-api could not be reached
 * are all due when orders-api comes back with it reachable, so its worker claims them in one pass
 * and pays them with `POST /payments/batch`. Each order is still charged once, under its own key,
 * with its own outcome. Seen from payments-api's side: its metrics and its records.
 */
const ORDERS = 40;
const databaseKind = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';
const log = () => pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

describe(`a backlog of orders is paid in batches, each order once (${databaseKind})`, () => {
  let ordersDb: TestDatabase | undefined;
  let paymentsDb: TestDatabase | undefined;
  let payments: RunningPaymentsApi | undefined;
  let orders: OrdersApi | undefined;
  let relay: PaymentsRelay | undefined;

  beforeAll(async () => {
    [ordersDb, paymentsDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    payments = await startPaymentsApi(loadPaymentsSettings(paymentsEnv(paymentsDb)));
  });

  afterAll(async () => {
    await orders?.close();
    await relay?.close();
    await payments?.close();
    await Promise.all([ordersDb?.dispose(), paymentsDb?.dispose()]);
  });

  /** orders-api on the test's database, paying through `paymentsUrl`. */
  const startOrders = (paymentsUrl: string, extra: Record<string, string> = {}) =>
    startOrdersApi(
      loadSettings(
        ordersEnv(ordersDb as TestDatabase, paymentsUrl, {
          // Retried at once while payments-api cannot be reached, so every order is due again
          // by the time it can; never given up on meanwhile.
          PAYMENT_RETRY_BASE_MS: '1',
          PAYMENT_MAX_ATTEMPTS: '100',
          // No delivery during the test: the payment is what is looked at.
          DELIVERY_DELAY_SECONDS: '60',
          ...extra,
        }),
      ),
      log(),
    );

  /** Places orders with these payment tokens while payments-api cannot be reached. */
  const placeBacklog = async (tokens: readonly string[]): Promise<OrderResult[]> => {
    // The orders-api of an earlier test would pay them at once.
    await orders?.close();
    // Nothing listens on this port: every charge is refused before it reaches anyone.
    const unreachable = await startOrders(`http://127.0.0.1:${await freePort()}`);
    orders = unreachable;
    const placed = await Promise.all(
      tokens.map(async (paymentToken) => {
        const result = await postGraphQL<{ createOrder: OrderResult }>(
          unreachable.url,
          CREATE_ORDER,
          { input: orderInput({ paymentToken }) },
        );
        const order = result.data?.createOrder;
        if (!order) throw new Error(`createOrder failed: ${JSON.stringify(result.errors)}`);
        return order;
      }),
    );
    await unreachable.close();
    return placed;
  };

  it('pays the backlog through POST /payments/batch, each order with its own outcome', async () => {
    const tokens = Array.from({ length: ORDERS }, (_, i) =>
      i % 4 === 3 ? 'tok_decline' : 'tok_approve',
    );
    const placed = await placeBacklog(tokens);

    const provider = payments as RunningPaymentsApi;
    const api = await startOrders(provider.url);
    orders = api;
    const ids = placed.map((o) => o.id);
    await assertInvariants({ graphqlUrl: api.url, paymentsUrl: provider.url, orderIds: ids });
    const finals = new Map((await readOrders({ graphqlUrl: api.url })).map((o) => [o.id, o]));
    for (const [i, order] of placed.entries()) {
      const final = finals.get(order.id);
      const records = await paymentRecordsOf(provider.url, TEST_PAYMENTS_TOKEN, order.id);
      // One payment per order, whichever call carried its charge.
      expect(records, order.id).toHaveLength(1);
      if (tokens[i] === 'tok_approve') {
        expect(final?.path, order.id).toEqual(['CREATED', 'CONFIRMED']);
        expect(records[0], order.id).toMatchObject({ status: 'confirmed', amount: order.total });
      } else {
        expect(final?.cancellationReason, order.id).toBe('PAYMENT_DECLINED');
        expect(records[0]?.status, order.id).toBe('declined');
      }
    }

    // payments-api charged each order once (a new charge per order, never a second), through
    // batches of several orders, in fewer requests than there are orders.
    const samples = await eventually(
      () => scrape(provider.url),
      (s) =>
        sumOf(s, 'payments_charges_total', { outcome: 'confirmed' }) +
          sumOf(s, 'payments_charges_total', { outcome: 'declined' }) ===
        ORDERS,
      5_000,
    );
    const batches = valueOf(samples, 'payments_batch_charges_count') ?? 0;
    const batched = valueOf(samples, 'payments_batch_charges_sum') ?? 0;
    const single = sumOf(samples, 'http_requests_total', { method: 'POST', route: '/payments' });
    console.info(
      `payment-batches: ${ORDERS} orders, ${batches} batch requests (${batched} charges), ${single} single`,
    );
    expect(batches).toBeGreaterThan(0);
    expect(
      sumOf(samples, 'http_requests_total', { method: 'POST', route: '/payments/batch' }),
    ).toBe(batches);
    // The worker sends a batch only for more than one order.
    expect(batched).toBeGreaterThanOrEqual(2 * batches);
    expect(batches + single).toBeLessThan(ORDERS);
    expect(batched + single).toBeGreaterThanOrEqual(ORDERS);
  }, 90_000);

  it('a slow call holds back only the orders it carries: the others of the pass are applied', async () => {
    // One order's charge is held by the relay; the rest of the backlog is claimed in the same
    // pass and, one order per call, goes through calls of their own.
    const placed = await placeBacklog(['tok_held', ...Array<string>(6).fill('tok_approve')]);
    const [held, ...others] = placed as [OrderResult, ...OrderResult[]];
    relay = await PaymentsRelay.start((payments as RunningPaymentsApi).url, {
      hold: { token: 'tok_held', releasedAs: 'tok_approve' },
    });
    const api = await startOrders(relay.url, {
      PAYMENT_BATCH_SIZE: '1',
      // The held call stays in flight for the whole test instead of timing out into a retry.
      PAYMENT_TIMEOUT_MS: '60000',
    });
    orders = api;
    const statuses = async () =>
      Object.fromEntries((await readOrders({ graphqlUrl: api.url })).map((o) => [o.id, o.status]));
    const settled = await eventually(statuses, (now) =>
      others.every((o) => now[o.id] === 'CONFIRMED'),
    );
    // All of them in one pass, the held charge still unanswered meanwhile.
    const pass = relay.charges();
    expect(pass.map((c) => c.key).sort()).toEqual(placed.map((o) => o.id).sort());
    expect(pass.every((c) => c.batch === null || c.batch.size === 1)).toBe(true);
    expect(settled[held.id]).toBe('CREATED');
    expect(relay.chargesFor(held.id)).toMatchObject([{ held: true, answeredAt: null }]);

    relay.release(held.id);
    await eventually(statuses, (now) => now[held.id] === 'CONFIRMED');
  }, 90_000);
});
