import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import {
  loadSettings as loadPaymentsSettings,
  startPaymentsApi,
  type RunningPaymentsApi,
} from '@oms/payments-api';
import { disposeLeftovers } from '@oms/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrdersProcess } from './support/orders-process.js';
import {
  CREATE_ORDER,
  GET_ORDER,
  eventually,
  orderInput,
  ordersEnv,
  paymentsEnv,
  postGraphQL,
  type OrderResult,
} from './support/stack.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { createEndpoint, deliveriesOf } from './support/webhooks.js';

/** PGlite lives inside one process; sharing a database between processes needs a server. */
const serverUrl = process.env.TEST_DATABASE_URL;

const WEBHOOK_ENV = {
  DELIVERY_DELAY_SECONDS: '0',
  WEBHOOKS_RETRY_BASE_SECONDS: '0.05',
};

describe.skipIf(!serverUrl)('webhooks from several orders-api processes on one database', () => {
  let ordersDb: TestDatabase;
  let paymentsDb: TestDatabase;
  let payments: RunningPaymentsApi;
  let receiver: WebhookReceiver;

  /**
   * `timeoutSeconds`: a request not answered by then is tried again (at least once), so where
   * each event must arrive exactly once it is the default, generous on a busy machine; a claim
   * lapses 5 s after it, which is when a killed process's deliveries come back.
   */
  const start = (name: string, timeoutSeconds = 10) =>
    OrdersProcess.start(
      ordersEnv(ordersDb, payments.url, {
        ...WEBHOOK_ENV,
        WEBHOOKS_TIMEOUT_SECONDS: String(timeoutSeconds),
      }),
      { name },
    );

  async function createOrders(processes: OrdersProcess[], count: number): Promise<string[]> {
    const created = await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const target = processes[i % processes.length] as OrdersProcess;
        const result = await postGraphQL<{ createOrder: { id: string } }>(
          target.url,
          CREATE_ORDER,
          {
            input: orderInput(),
          },
        );
        if (!result.data) throw new Error(JSON.stringify(result.errors));
        return result.data.createOrder.id;
      }),
    );
    return created;
  }

  async function finals(process: OrdersProcess, ids: readonly string[]): Promise<OrderResult[]> {
    return Promise.all(
      ids.map((id) =>
        eventually(
          async () => {
            const r = await postGraphQL<{ order: OrderResult }>(process.url, GET_ORDER, { id });
            if (!r.data?.order) throw new Error(JSON.stringify(r.errors));
            return r.data.order;
          },
          (o) => o.status === 'DELIVERED' || o.status === 'CANCELLED',
          30_000,
        ),
      ),
    );
  }

  /** Every (order, version) the orders' histories hold. */
  const eventsOf = (orders: readonly OrderResult[]) =>
    orders.flatMap((o) => o.history.map((_, i) => `${o.id}/${String(i + 1)}`));

  beforeAll(async () => {
    [ordersDb, paymentsDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    payments = await startPaymentsApi(loadPaymentsSettings(paymentsEnv(paymentsDb)));
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await disposeLeftovers();
    await receiver.close();
    await payments.close();
    await Promise.all([ordersDb.dispose(), paymentsDb.dispose()]);
  });

  it('delivers each event once, in version order per order, whichever process sends it', async () => {
    const processes = await Promise.all(
      ['hooks-1', 'hooks-2', 'hooks-3'].map((name) => start(name)),
    );
    const first = processes[0] as OrdersProcess;
    const gql = <T>(query: string, variables: Record<string, unknown> = {}) =>
      postGraphQL<T>(first.url, query, variables);
    const { endpoint } = await createEndpoint(gql, { url: receiver.url });
    const ids = await createOrders(processes, 30);
    const orders = await finals(first, ids);
    const expected = eventsOf(orders).sort();
    const seen = () =>
      receiver.delivered.map((r) => `${r.event.data.orderId}/${String(r.event.data.version)}`);
    await eventually(
      () => Promise.resolve(seen()),
      (got) => new Set(got).size === expected.length,
      30_000,
    );
    // A duplicate would arrive right behind the original; give it the time to.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(seen().sort()).toEqual(expected);
    expect(new Set(receiver.received.map((r) => r.id)).size).toBe(expected.length);
    for (const order of orders) {
      const versions = receiver.received
        .filter((r) => r.event.data.orderId === order.id)
        .map((r) => r.event.data.version);
      expect(versions, order.id).toEqual(order.history.map((_, i) => i + 1));
    }
    const listed = await deliveriesOf(gql, endpoint.id);
    expect(listed.deliveries.edges.every((e) => e.node.attempts === 1)).toBe(true);
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('loses no delivery when every process sending is killed with SIGKILL mid-request', async () => {
    receiver.received.length = 0;
    receiver.answer = () => 'hang';
    const processes = await Promise.all(['hooks-4', 'hooks-5'].map((name) => start(name, 2)));
    const first = processes[0] as OrdersProcess;
    const ids = await createOrders(processes, 10);
    const orders = await finals(first, ids);
    // Each order's first event is in flight (held by the receiver) when the processes die.
    await eventually(
      () => Promise.resolve(receiver.received.length),
      (n) => n >= 10,
    );
    await Promise.all(processes.map((p) => p.kill('SIGKILL')));
    receiver.answer = () => 200;

    const survivor = await start('hooks-6', 2);
    const expected = eventsOf(orders);
    const seen = () =>
      new Set(
        receiver.delivered.map((r) => `${r.event.data.orderId}/${String(r.event.data.version)}`),
      );
    await eventually(
      () => Promise.resolve(seen()),
      (got) => expected.every((e) => got.has(e)),
      45_000,
    );
    for (const order of orders) {
      const versions = receiver.delivered
        .filter((r) => r.event.data.orderId === order.id)
        .map((r) => r.event.data.version);
      expect(versions, order.id).toEqual(order.history.map((_, i) => i + 1));
    }
    await survivor.stop();
  });
});
