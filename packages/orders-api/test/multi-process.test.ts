import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { isValidPath, type OrderStatus } from '@oms/order-lifecycle';
import {
  loadSettings as loadPaymentsSettings,
  startPaymentsApi,
  type RunningPaymentsApi,
} from '@oms/payments-api';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { disposeLeftovers, freePort } from '@oms/testing';
import { paymentRecordsOf, recordingOf } from '@oms/testing/invariants';
import { PaymentsRelay } from '@oms/testing/payments-relay';
import { assertInvariants } from './support/invariants.js';
import { OrdersProcess } from './support/orders-process.js';
import {
  CREATE_ORDER,
  Subscription,
  TEST_PAYMENTS_TOKEN,
  eventually,
  orderInput,
  ordersEnv,
  paymentsEnv,
  postGraphQL,
  type OrderResult,
} from './support/stack.js';

/** PGlite lives inside one process; sharing a database between processes needs a server. */
const serverUrl = process.env.TEST_DATABASE_URL;

const PROCESS_NAMES = ['orders-1', 'orders-2', 'orders-3'] as const;
const ORDER_COUNT = 60;
const ALL_ORDERS = `subscription { orderUpdated { id status history { to } } }`;
const LIST_ORDERS = `query { orders(first: 100) { edges { node { id status total history { to } } } } }`;

type Event = { orderUpdated: { id: string; status: string; history: { to: string }[] } };
type Listed = { id: string; status: string; total: number; history: { to: string }[] };

describe.skipIf(!serverUrl)('three orders-api processes on one PostgreSQL database', () => {
  let ordersDb: TestDatabase | undefined;
  let paymentsDb: TestDatabase | undefined;
  let payments: RunningPaymentsApi | undefined;
  let recorder: PaymentsRelay | undefined;
  let processes: OrdersProcess[] = [];
  const clients: Client[] = [];
  let subscribers: Subscription<Event>[] = [];
  const orderIds: string[] = [];
  /** Orders placed only to learn that every subscription is live. */
  const probeIds = new Set<string>();
  let finals = new Map<string, Listed>();

  beforeAll(async () => {
    [ordersDb, paymentsDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const paymentsPort = await freePort();
    const relay = await PaymentsRelay.start(`http://127.0.0.1:${paymentsPort}`);
    recorder = relay;
    const db = ordersDb;
    // The three start together, so they also race to migrate the empty database.
    const [startedPayments, ...started] = await Promise.all([
      startPaymentsApi(
        loadPaymentsSettings(
          paymentsEnv(paymentsDb, {
            PAYMENTS_PORT: String(paymentsPort),
            PAYMENT_LATENCY_MS: '50-150',
          }),
        ),
      ),
      ...PROCESS_NAMES.map((name) =>
        OrdersProcess.start(
          ordersEnv(db, relay.urlFor(name), {
            DELIVERY_DELAY_SECONDS: '1',
            LOG_LEVEL: 'info',
            // Four calls in flight per process: no single process can take all sixty orders at
            // once, so the others must claim some (the claim is what is being tested).
            WORKER_CONCURRENCY: '4',
          }),
          { name },
        ),
      ),
    ]);
    payments = startedPayments;
    processes = started;
    subscribers = processes.map((process) => {
      const client = createClient({
        url: process.wsUrl,
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
      });
      clients.push(client);
      return new Subscription<Event>(client, ALL_ORDERS, {});
    });
  });

  afterAll(async () => {
    await Promise.all(
      clients.map(async (client) => {
        await client.dispose();
      }),
    );
    await disposeLeftovers();
    await recorder?.close();
    await payments?.close();
    await Promise.all([ordersDb?.dispose(), paymentsDb?.dispose()]);
  });

  it('shows every subscriber on every process every transition once, in order', async () => {
    // Live on every process: each sees the CREATED of an order placed after it subscribed.
    // graphql-ws does not acknowledge a subscription, and on a loaded machine a server may
    // register one after the first probe's creation is published: probes are placed until every
    // subscriber has seen one created, and are left out of the checks below.
    for (let attempt = 1; ; attempt += 1) {
      const probe = await createOrder(processes[0], 'tok_approve');
      probeIds.add(probe.id);
      const seen = await Promise.all(
        subscribers.map((sub) =>
          sub
            .waitFor((events) => statusesOf(events, probe.id)[0] === 'CREATED', 5_000)
            .then(
              () => true,
              () => false,
            ),
        ),
      );
      if (seen.every(Boolean)) break;
      if (attempt === 5)
        throw new Error(`subscribers not live after ${attempt} probes: ${JSON.stringify(seen)}`);
    }

    const created = await Promise.all(
      Array.from({ length: ORDER_COUNT }, (_, i) =>
        createOrder(processes[i % processes.length], i % 4 === 3 ? 'tok_decline' : 'tok_approve'),
      ),
    );
    orderIds.push(...created.map((o) => o.id));

    finals = await eventually(
      () => listOrders(processes[1]),
      (orders) => orderIds.every((id) => isFinal(orders.get(id)?.status)),
      30_000,
    );
    const complete = (events: Event[]) =>
      orderIds.every((id) => statusesOf(events, id).length === finals.get(id)?.history.length);
    await Promise.all(subscribers.map((sub) => sub.waitFor(complete, 15_000)));
    // A duplicate would arrive right behind the original; give it the time to.
    await new Promise((resolve) => setTimeout(resolve, 500));

    for (const id of orderIds) {
      const path = finals.get(id)?.history.map((h) => h.to) ?? [];
      expect(isValidPath(path as OrderStatus[]), `${id}: ${path.join(' > ')}`).toBe(true);
      expect([
        ['CREATED', 'CONFIRMED', 'DELIVERED'],
        ['CREATED', 'CANCELLED'],
      ]).toContainEqual(path);
    }
    subscribers.forEach((sub, index) => {
      const name = PROCESS_NAMES[index] ?? String(index);
      expect(sub.errors, name).toEqual([]);
      expect(sub.completed, name).toBe(false);
      for (const id of orderIds) {
        const mine = sub.events.filter((e) => e.orderUpdated.id === id).map((e) => e.orderUpdated);
        const path = finals.get(id)?.history.map((h) => h.to);
        // Exactly once and in order: the n-th event is the order as of its n-th transition.
        expect(
          mine.map((o) => o.status),
          `${name} saw ${id}`,
        ).toEqual(path);
        expect(mine.map((o) => o.history.length)).toEqual(mine.map((_, i) => i + 1));
      }
      const checked = new Set(orderIds);
      expect(
        sub.events.filter(
          (e) => !checked.has(e.orderUpdated.id) && !probeIds.has(e.orderUpdated.id),
        ),
        name,
      ).toEqual([]);
      expect(sub.events.filter((e) => checked.has(e.orderUpdated.id)).length, name).toBe(
        orderIds.reduce((sum, id) => sum + (finals.get(id)?.history.length ?? 0), 0),
      );
    });
  });

  it('confirms payments made by another process to each subscriber (the fan-out crosses processes)', () => {
    const charger = chargerByOrder();
    subscribers.forEach((sub, index) => {
      const name = PROCESS_NAMES[index];
      const confirmedElsewhere = sub.events.filter(
        (e) => e.orderUpdated.status === 'CONFIRMED' && charger.get(e.orderUpdated.id) !== name,
      );
      expect(confirmedElsewhere.length, String(name)).toBeGreaterThan(0);
    });
  });

  it('shares the payment work between the processes', () => {
    const relay = recorder as PaymentsRelay;
    const charger = chargerByOrder();
    const perProcess = PROCESS_NAMES.map((name) => ({
      name,
      charges: relay.charges(name).length,
      ordersPaid: [...charger.values()].filter((n) => n === name).length,
      // The worker logs nothing per successful payment; only retries and failures say "payment".
      paymentLogLines: (processes[PROCESS_NAMES.indexOf(name)]?.lines ?? []).filter((l) =>
        /payment/i.test(l),
      ).length,
    }));
    console.info(`multi-process: ${JSON.stringify(perProcess)}`);
    for (const entry of perProcess) expect(entry.ordersPaid, entry.name).toBeGreaterThan(0);
    // A claim is exclusive: calls for one order never overlap, whichever processes make them.
    for (const id of orderIds) {
      const calls = relay.charges().filter((c) => c.key === id);
      calls.forEach((call, n) => {
        const previous = calls[n - 1];
        if (previous !== undefined) {
          expect(call.startedAt, id).toBeGreaterThanOrEqual(previous.endedAt ?? Infinity);
        }
      });
    }
  });

  it('leaves exactly one payment at payments-api per order (GET /payments?orderId=)', async () => {
    for (const id of orderIds) {
      const records = await paymentRecordsOf(payments?.url ?? '', TEST_PAYMENTS_TOKEN, id);
      const final = finals.get(id);
      expect(records, id).toHaveLength(1);
      expect(records[0]?.status, id).toBe(final?.status === 'DELIVERED' ? 'confirmed' : 'declined');
      if (final?.status === 'DELIVERED') expect(records[0]?.amount, id).toBe(final.total);
    }
  });

  it('holds the invariants of issue 5, for the orders and for every subscriber', async () => {
    const everyOrder = new Set(orderIds);
    await assertInvariants({
      ordersDatabaseUrl: ordersDb?.url ?? '',
      paymentsUrl: payments?.url ?? '',
      orderIds,
      recordings: subscribers.map((sub, index) =>
        recordingOf(
          PROCESS_NAMES[index] ?? String(index),
          sub,
          ({ orderUpdated: o }) => ({ id: o.id, status: o.status, version: o.history.length }),
          everyOrder,
        ),
      ),
    });
  });

  it('stops every process cleanly on SIGTERM', async () => {
    await Promise.all(
      clients.map(async (client) => {
        await client.dispose();
      }),
    );
    const exits = await Promise.all(processes.map((p) => p.kill('SIGTERM')));
    expect(exits).toEqual(processes.map(() => ({ code: 0, signal: null })));
    const errors = processes.flatMap((p) => p.logEntries().filter((e) => Number(e.level) >= 50));
    expect(errors).toEqual([]);
  });

  /** Which process received the payment answer for each order (so applied its outcome). */
  function chargerByOrder(): Map<string, string> {
    const charger = new Map<string, string>();
    for (const call of recorder?.charges() ?? []) {
      if (call.key !== null && call.caller !== null && call.status !== null && !call.callerGone) {
        charger.set(call.key, call.caller);
      }
    }
    return charger;
  }
});

async function createOrder(
  process: OrdersProcess | undefined,
  token: string,
): Promise<OrderResult> {
  if (process === undefined) throw new Error('no such process');
  const result = await postGraphQL<{ createOrder: OrderResult }>(process.url, CREATE_ORDER, {
    input: orderInput({ paymentToken: token }),
  });
  if (!result.data?.createOrder)
    throw new Error(`createOrder failed: ${JSON.stringify(result.errors)}`);
  return result.data.createOrder;
}

async function listOrders(process: OrdersProcess | undefined): Promise<Map<string, Listed>> {
  if (process === undefined) throw new Error('no such process');
  const result = await postGraphQL<{ orders: { edges: { node: Listed }[] } }>(
    process.url,
    LIST_ORDERS,
  );
  if (!result.data) throw new Error(`orders query failed: ${JSON.stringify(result.errors)}`);
  return new Map(result.data.orders.edges.map((e) => [e.node.id, e.node]));
}

function statusesOf(events: Event[], id: string): string[] {
  return events.filter((e) => e.orderUpdated.id === id).map((e) => e.orderUpdated.status);
}

function isFinal(status: string | undefined): boolean {
  return status === 'DELIVERED' || status === 'CANCELLED';
}
