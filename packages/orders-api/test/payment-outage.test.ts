import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import {
  loadSettings as loadPaymentsSettings,
  startPaymentsApi,
  type RunningPaymentsApi,
} from '@oms/payments-api';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSettings, startOrdersApi, type OrdersApi } from '../src/app.js';
import { freePort } from '@oms/testing';
import { readOrders } from '@oms/testing/invariants';
import { PaymentsRelay, type Fault } from '@oms/testing/payments-relay';
import { assertInvariants } from './support/invariants.js';
import {
  CREATE_ORDER,
  orderInput,
  ordersEnv,
  paymentsEnv,
  postGraphQL,
  type OrderResult,
} from './support/stack.js';

/**
 * payments-api down (connection refused), then answering 500, then garbage, then slower than the
 * client's timeout, then well again, with orders arriving all along: no order is lost or given up
 * on, and each is paid once. The single-fault cases (one order each, the retry rule's details)
 * are in payment-faults.test.ts.
 */
const TIMEOUT_MS = 300;
const PHASE_MS = 1_200;
/** High enough that no order is given up on during the outage: this is about recovering. */
const MAX_ATTEMPTS = 100;
const databaseKind = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite';

const PHASES: { name: string; fault: Fault | 'down' }[] = [
  { name: 'down', fault: 'down' },
  {
    name: '500',
    fault: {
      kind: 'answer',
      status: 500,
      body: '{"type":"about:blank","title":"Internal Server Error","status":500}',
    },
  },
  {
    name: 'garbage',
    fault: {
      kind: 'answer',
      status: 200,
      body: '<html>bad gateway</html>',
      contentType: 'text/html',
    },
  },
  {
    name: 'truncated',
    fault: { kind: 'answer', status: 201, body: '{"id":"01', contentType: 'application/json' },
  },
  { name: 'slow', fault: { kind: 'hold', ms: TIMEOUT_MS + 700 } },
];

describe(`payments-api down, failing, garbled and slow, then back (${databaseKind})`, () => {
  let ordersDb: TestDatabase | undefined;
  let paymentsDb: TestDatabase | undefined;
  let payments: RunningPaymentsApi | undefined;
  let relay: PaymentsRelay | undefined;
  let orders: OrdersApi | undefined;
  let paymentsPort = 0;

  const startPayments = () =>
    startPaymentsApi(
      loadPaymentsSettings(
        paymentsEnv(paymentsDb as TestDatabase, { PAYMENTS_PORT: String(paymentsPort) }),
      ),
    );

  beforeAll(async () => {
    [ordersDb, paymentsDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    paymentsPort = await freePort();
    payments = await startPayments();
    relay = await PaymentsRelay.start(payments.url);
    orders = await startOrdersApi(
      loadSettings(
        ordersEnv(ordersDb, relay.url, {
          PAYMENT_TIMEOUT_MS: String(TIMEOUT_MS),
          PAYMENT_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
          PAYMENT_RETRY_BASE_MS: '10',
          DELIVERY_DELAY_SECONDS: '1',
          WORKER_IDLE_POLL_MS: '100',
        }),
      ),
      pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    );
  });

  afterAll(async () => {
    await orders?.close();
    await relay?.close();
    await payments?.close();
    await Promise.all([ordersDb?.dispose(), paymentsDb?.dispose()]);
  });

  it('pays every order once after the provider recovers, whatever it did meanwhile', async () => {
    const api = orders as OrdersApi;
    const placed: { id: string; token: string; phase: string }[] = [];
    let count = 0;
    const place = async (phase: string) => {
      count += 1;
      const token = count % 5 === 0 ? 'tok_decline' : 'tok_approve';
      const result = await postGraphQL<{ createOrder: OrderResult }>(api.url, CREATE_ORDER, {
        input: orderInput({ paymentToken: token }),
      });
      const id = result.data?.createOrder.id;
      if (id === undefined) throw new Error(`createOrder failed: ${JSON.stringify(result)}`);
      placed.push({ id, token, phase });
    };
    const relayUrl = (relay as PaymentsRelay).url;
    const relayPort = Number(new URL(relayUrl).port);

    for (const { name, fault } of PHASES) {
      if (fault === 'down') {
        // Nothing listens where payments-api was: calls are refused outright.
        await relay?.close();
        await payments?.close();
      } else {
        relay?.failCharges(fault);
      }
      // Orders keep coming during each phase, a few at its start and a few in its middle.
      await Promise.all(Array.from({ length: 4 }, () => place(name)));
      await pause(PHASE_MS / 2);
      await Promise.all(Array.from({ length: 2 }, () => place(name)));
      await pause(PHASE_MS / 2);
      if (fault === 'down') {
        payments = await startPayments();
        relay = await PaymentsRelay.start(payments.url, { port: relayPort });
      }
    }
    const current = relay as PaymentsRelay;
    current.reset();

    const report = await assertInvariants({
      graphqlUrl: api.url,
      paymentsUrl: (payments as RunningPaymentsApi).url,
      orderIds: placed.map((p) => p.id),
      // An order retried all through the faults may wait out the backoff's 30 s cap once more.
      settleTimeoutMs: 45_000,
    });
    const finals = new Map((await readOrders({ graphqlUrl: api.url })).map((o) => [o.id, o]));
    for (const order of placed) {
      const final = finals.get(order.id);
      const label = `${order.phase} ${order.id}: ${final?.path.join(' > ') ?? 'missing'} (${String(final?.cancellationReason)})`;
      // Nothing was given up on: every approved order was paid, every declined one declined.
      if (order.token === 'tok_approve')
        expect(final?.path.slice(0, 2), label).toEqual(['CREATED', 'CONFIRMED']);
      else expect(final?.cancellationReason, label).toBe('PAYMENT_DECLINED');
    }
    // Each fault was met by the calls (the refused ones never reached the relay), alone or batched.
    const charges = current.charges();
    const met = (status: number) =>
      charges.filter((c) => c.fault === 'answer' && c.status === status);
    expect(met(500).length).toBeGreaterThan(0);
    expect(met(200).length).toBeGreaterThan(0);
    expect(met(201).length).toBeGreaterThan(0);
    expect(charges.filter((c) => c.fault === 'hold' && c.callerGone).length).toBeGreaterThan(0);
    const refusedPhase = placed.filter((p) => p.phase === 'down');
    for (const order of refusedPhase) {
      // Its first call that got through came after the relay was back: earlier ones were refused.
      expect(current.chargesFor(order.id).length, order.id).toBeGreaterThan(0);
    }
    console.info(
      `payment-outage: ${placed.length} orders over ${PHASES.length} phases, ${charges.length} charge calls reached the relay; ${JSON.stringify(report)}`,
    );
  }, 90_000);
});

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
