import { openDatabase, sql, type DatabaseHandle } from '@oms/database';
import { createTestDatabase } from '@oms/database/testing';
import { loadSettings as loadPaymentsSettings, startPaymentsApi } from '@oms/payments-api';
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadSettings, startOrdersApi } from '../src/app.js';
import { schema } from '../src/persistence/schema.js';
import { PaymentsRelay } from '@oms/testing/payments-relay';
import { assertInvariants } from './support/invariants.js';
import { scrape, valueOf } from './support/prometheus.js';
import {
  CANCEL_ORDER,
  CREATE_ORDER,
  GET_ORDER,
  eventually,
  orderInput,
  ordersEnv,
  paymentsEnv,
  postGraphQL,
  type GraphQLErrorBody,
  type OrderResult,
} from './support/stack.js';

/**
 * Admission control (README, "Overload"): under an overload made on purpose, createOrder is
 * refused at once over HTTP (503, Retry-After, SERVICE_OVERLOADED) and WebSocket (the same code)
 * while reads, cancels, subscriptions and the probes answer as usual; every order it accepted
 * completes; once the overload is over, createOrder is accepted again.
 */

const databaseKind = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';
const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));
/** Bound on the loops that wait for the server to change its mind; never a measurement. */
const PATIENCE_MS = 15_000;
const ALL_ORDERS = `subscription { orderUpdated { id status history { to } } }`;

/** One createOrder over HTTP, with the answer's status and Retry-After. */
interface Attempt {
  status: number;
  retryAfter: string | null;
  order: OrderResult | undefined;
  errors: GraphQLErrorBody[] | undefined;
}

async function attemptOrder(url: string): Promise<Attempt> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: CREATE_ORDER, variables: { input: orderInput() } }),
  });
  const body = (await response.json()) as {
    data?: { createOrder?: OrderResult } | null;
    errors?: GraphQLErrorBody[];
  };
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    order: body.data?.createOrder,
    errors: body.errors,
  };
}

/** A refusal as the README states it. */
function expectRefused(attempt: Attempt): void {
  expect(attempt.status).toBe(503);
  expect(attempt.retryAfter).toMatch(/^[1-9]\d*$/);
  expect(attempt.order).toBeUndefined();
  expect(attempt.errors).toEqual([
    expect.objectContaining({
      extensions: { code: 'SERVICE_OVERLOADED', retryAfterSeconds: Number(attempt.retryAfter) },
    }),
  ]);
}

/** Runs one operation over graphql-ws and resolves with what came back: data or errors. */
function overWebSocket(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<{ data?: unknown; errors?: GraphQLErrorBody[] }> {
  return new Promise((resolve, reject) => {
    let result: { data?: unknown; errors?: GraphQLErrorBody[] } = {};
    client.subscribe(
      { query, variables },
      {
        next: (value) => {
          result = value as typeof result;
        },
        // graphql-ws hands the error sink the array of errors the server sent.
        error: (error: unknown) => {
          if (Array.isArray(error)) resolve({ errors: error as GraphQLErrorBody[] });
          else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
        },
        complete: () => {
          resolve(result);
        },
      },
    );
  });
}

/** payments-api behind a fault relay, and orders-api with `env` on its own database. */
async function startStack(env: Record<string, string>) {
  const databases = [await createTestDatabase(), await createTestDatabase()] as const;
  const [ordersDb, paymentsDb] = databases;
  const payments = await startPaymentsApi(loadPaymentsSettings(paymentsEnv(paymentsDb)));
  const relay = await PaymentsRelay.start(payments.url);
  const orders = await startOrdersApi(
    loadSettings(ordersEnv(ordersDb, relay.url, env)),
    pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  );
  const clients: Client[] = [];
  return {
    ordersDb,
    payments,
    relay,
    orders,
    base: orders.url.replace(/\/graphql$/, ''),
    client(): Client {
      const client = createClient({
        url: orders.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        lazy: false,
      });
      clients.push(client);
      return client;
    },
    async close(): Promise<void> {
      for (const client of clients) await client.dispose();
      await orders.close();
      await relay.close();
      await payments.close();
      await Promise.all(databases.map((d) => d.dispose()));
    },
  };
}

type RunningStack = Awaited<ReturnType<typeof startStack>>;

/** Everything that must keep answering while createOrder is refused. */
async function expectOthersAnswer(stack: RunningStack, client: Client, orderId: string) {
  const read = await postGraphQL<{ order: OrderResult | null }>(stack.orders.url, GET_ORDER, {
    id: orderId,
  });
  expect(read.status).toBe(200);
  expect(read.data?.order?.id).toBe(orderId);

  const list = await postGraphQL<{ orders: { edges: { node: { id: string } }[] } }>(
    stack.orders.url,
    '{ orders(first: 100) { edges { node { id } } } }',
  );
  expect(list.status).toBe(200);
  expect(list.data?.orders.edges.map((e) => e.node.id)).toContain(orderId);

  for (const probe of ['/health', '/ready']) {
    const response = await fetch(`${stack.base}${probe}`);
    expect(response.status, probe).toBe(200);
  }
  const overWs = await overWebSocket(client, `query Get($id: ID!) { order(id: $id) { id } }`, {
    id: orderId,
  });
  expect(overWs).toEqual({ data: { order: { id: orderId } } });
}

/** Every order accepted is there, alone, and completes its lifecycle (nothing lost). */
async function expectEveryOrderCompletes(stack: RunningStack, accepted: readonly string[]) {
  const report = await assertInvariants({
    graphqlUrl: stack.orders.url,
    paymentsUrl: stack.payments.url,
    orderIds: accepted,
  });
  expect(report.orders).toBe(accepted.length);
}

/** The stack `beforeAll` started (undefined there when it failed; its own error is the one to see). */
function started(stack: RunningStack | undefined): RunningStack {
  if (stack === undefined) throw new Error('the stack did not start');
  return stack;
}

describe(`admission control under a background backlog (${databaseKind})`, () => {
  let stack: RunningStack | undefined;
  const running = () => started(stack);

  beforeAll(async () => {
    stack = await startStack({
      // One payment call at a time: while the relay holds it, every other order's payment job
      // waits, due, and the oldest due job grows older.
      WORKER_CONCURRENCY: '1',
      PAYMENT_TIMEOUT_MS: '20000',
      DELIVERY_DELAY_SECONDS: '0',
      // Long enough for the worker to claim the first held order's job on a loaded machine, so
      // what grows old is the job waiting behind that call, not one the worker had yet to see.
      ADMISSION_MAX_JOB_AGE_MS: '1000',
      ADMISSION_SAMPLE_INTERVAL_MS: '20',
    });
  });
  afterAll(() => stack?.close());

  it('refuses createOrder at once while the backlog is old, answers everything else, loses nothing and takes orders again after', async () => {
    const { orders, relay } = running();
    const client = running().client();
    const events: { id: string; status: string }[] = [];
    client.subscribe<{ orderUpdated: { id: string; status: string } }>(
      { query: ALL_ORDERS },
      {
        next: (result) => {
          if (result.data) events.push(result.data.orderUpdated);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    const accepted: string[] = [];

    // Before: accepted as usual, and paid.
    const first = await attemptOrder(orders.url);
    expect(first.status).toBe(200);
    accepted.push(first.order?.id ?? '');
    await eventually(
      () => postGraphQL<{ order: OrderResult | null }>(orders.url, GET_ORDER, { id: accepted[0] }),
      (r) => r.data?.order?.status !== 'CREATED',
    );

    // The provider's answers are held: the worker's one call in flight never returns.
    relay.failCharges({ kind: 'hold', ms: 60_000 });
    let refused: Attempt | undefined;
    const deadline = Date.now() + PATIENCE_MS;
    while (refused === undefined) {
      if (Date.now() > deadline) throw new Error('createOrder was never refused');
      const attempt = await attemptOrder(orders.url);
      if (attempt.order) accepted.push(attempt.order.id);
      else refused = attempt;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expectRefused(refused);
    // The first one held, at least one more waiting behind it.
    expect(accepted.length).toBeGreaterThanOrEqual(3);

    // Meanwhile: reads, the probes and a read over WebSocket answer; createOrder over WebSocket
    // gets the same code; a cancel goes through and its subscriber is told.
    await expectOthersAnswer(running(), client, accepted[1] ?? '');
    const wsCreate = await overWebSocket(client, CREATE_ORDER, { input: orderInput() });
    expect(wsCreate.errors?.map((e) => e.extensions)).toEqual([
      { code: 'SERVICE_OVERLOADED', retryAfterSeconds: Number(refused.retryAfter) },
    ]);
    const waiting = accepted.at(-1) ?? '';
    const cancel = await postGraphQL<{ cancelOrder: OrderResult }>(orders.url, CANCEL_ORDER, {
      id: waiting,
      reason: 'changed my mind',
    });
    expect(cancel.data?.cancelOrder.status).toBe('CANCELLED');
    await eventually(
      () => Promise.resolve(events),
      (seen) => seen.some((e) => e.id === waiting && e.status === 'CANCELLED'),
    );
    // Still refused: all of the above happened during the overload.
    expectRefused(await attemptOrder(orders.url));

    const metrics = await scrape(running().base);
    expect(
      valueOf(metrics, 'orders_admission_refusals_total', { reason: 'backlog' }),
    ).toBeGreaterThanOrEqual(3);
    expect(
      valueOf(metrics, 'orders_admission_refusals_total', { reason: 'concurrency' }) ?? 0,
    ).toBe(0);
    expect(valueOf(metrics, 'orders_admission_limit')).toBeGreaterThan(0);
    expect(valueOf(metrics, 'orders_admission_in_flight')).toBe(0);

    // The overload ends: the provider answers again, the backlog drains, orders are taken.
    relay.reset();
    relay.releaseHeld();
    const after = await eventually(
      () => attemptOrder(orders.url),
      (attempt) => attempt.order !== undefined,
      PATIENCE_MS,
    );
    expect(after.status).toBe(200);
    accepted.push(after.order?.id ?? '');

    await expectEveryOrderCompletes(running(), accepted);
  });
});

describe.skipIf(!process.env.TEST_DATABASE_URL)(
  'admission control at its concurrency limit (PostgreSQL)',
  () => {
    let stack: RunningStack | undefined;
    let locker: DatabaseHandle<typeof schema> | undefined;
    /** Ends the transaction holding the lock (a test that failed may have left it open). */
    let releaseLock = (): void => undefined;
    let locking: Promise<unknown> = Promise.resolve();
    const running = () => started(stack);

    beforeAll(async () => {
      stack = await startStack({
        // One createOrder at a time, whatever its latency.
        ADMISSION_MIN_CONCURRENCY: '1',
        ADMISSION_MAX_CONCURRENCY: '1',
        ADMISSION_SAMPLE_INTERVAL_MS: '20',
        DELIVERY_DELAY_SECONDS: '0',
      });
      locker = await openDatabase({
        url: stack.ordersDb.url,
        dataDir: '',
        schema,
        migrationsFolder: MIGRATIONS,
        migrationsTable: '__orders_migrations',
        poolSize: 1,
      });
    });
    afterAll(async () => {
      releaseLock();
      await locking;
      await locker?.close();
      await stack?.close();
    });

    it('refuses a second createOrder while one is in flight, and never cuts the first off', async () => {
      const { orders } = running();
      const client = running().client();
      const before = await attemptOrder(orders.url);
      expect(before.status).toBe(200);
      const accepted = [before.order?.id ?? ''];

      // A transaction that holds the orders table against writes (reads go on): the next
      // createOrder waits inside the database, admitted and in flight.
      const handle = locker as DatabaseHandle<typeof schema>;
      await new Promise<void>((held, failed) => {
        locking = handle.db
          .transaction(async (tx) => {
            await tx.execute(sql`lock table orders in exclusive mode`);
            await new Promise<void>((resolve) => {
              releaseLock = resolve;
              held();
            });
          })
          .catch(failed);
      });
      const inFlight = attemptOrder(orders.url);
      await eventually(
        () => scrape(running().base),
        (samples) => valueOf(samples, 'orders_admission_in_flight') === 1,
      );

      expectRefused(await attemptOrder(orders.url));
      const wsCreate = await overWebSocket(client, CREATE_ORDER, { input: orderInput() });
      expect(wsCreate.errors?.map((e) => e.extensions?.code)).toEqual(['SERVICE_OVERLOADED']);
      await expectOthersAnswer(running(), client, accepted[0] ?? '');
      const metrics = await scrape(running().base);
      expect(valueOf(metrics, 'orders_admission_refusals_total', { reason: 'concurrency' })).toBe(
        2,
      );
      expect(valueOf(metrics, 'orders_admission_limit')).toBe(1);

      // The one in flight was admitted: it finishes once the database lets it.
      releaseLock();
      const finished = await inFlight;
      expect(finished.status).toBe(200);
      accepted.push(finished.order?.id ?? '');
      const again = await attemptOrder(orders.url);
      expect(again.status).toBe(200);
      accepted.push(again.order?.id ?? '');

      await expectEveryOrderCompletes(running(), accepted);
    });
  },
);
