import { request } from 'node:http';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import {
  loadSettings as loadPaymentsSettings,
  startPaymentsApi,
  type RunningPaymentsApi,
} from '@oms/payments-api';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { disposeLeftovers, freePort } from '@oms/testing';
import { TransitionRecorder } from '@oms/testing/invariants';
import { PaymentsRelay, type RelayedCall } from '@oms/testing/payments-relay';
import { assertInvariants } from './support/invariants.js';
import { OrdersProcess } from './support/orders-process.js';
import {
  CREATE_ORDER,
  orderInput,
  ordersEnv,
  paymentsEnv,
  postGraphQL,
  type OrderResult,
} from './support/stack.js';

/**
 * SIGTERM while requests, subscriptions and payment calls are in flight. Two processes share the
 * database, so the one that stays proves no work was dropped: that needs a server.
 */
const serverUrl = process.env.TEST_DATABASE_URL;
if (!serverUrl) {
  console.info(
    'graceful-shutdown: skipped: runs in the PostgreSQL pass only (two processes share a database)',
  );
}

/** graphql-ws closes every socket with this on the server's dispose: 1001, going away. */
const GOING_AWAY = 1001;
const BIG_PAGE = `query { orders(first: 100) { edges { node { id status total history { to at } } } } }`;

interface SlowRequest {
  /** Sends the rest of the body. */
  finish(): void;
  /** Settles once the server has begun the request (or the request failed). */
  started: Promise<void>;
  /** The answer: HTTP status and body, or the network error. */
  answer: Promise<{ status: number; body: string } | { error: string }>;
}

describe.skipIf(!serverUrl)('graceful shutdown on SIGTERM', () => {
  let ordersDb: TestDatabase | undefined;
  let paymentsDb: TestDatabase | undefined;
  let payments: RunningPaymentsApi | undefined;
  let relay: PaymentsRelay | undefined;
  const recorders: TransitionRecorder[] = [];
  let stopping: OrdersProcess;
  let staying: OrdersProcess;

  beforeAll(async () => {
    [ordersDb, paymentsDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    const paymentsPort = await freePort();
    relay = await PaymentsRelay.start(`http://127.0.0.1:${paymentsPort}`);
    const db = ordersDb;
    const via = relay;
    const env = (name: string) =>
      ordersEnv(db, via.urlFor(name), {
        DELIVERY_DELAY_SECONDS: '1',
        LOG_LEVEL: 'info',
        // Calls take 1 to 1.5 s, longer on a loaded machine; none may time out (a timed-out
        // call is cut off by its caller). Still well within the 20 s the stop is given.
        PAYMENT_TIMEOUT_MS: '10000',
      });
    [payments, stopping, staying] = await Promise.all([
      startPaymentsApi(
        loadPaymentsSettings(
          paymentsEnv(paymentsDb, {
            PAYMENTS_PORT: String(paymentsPort),
            // Slow enough that payment calls are in flight when SIGTERM arrives.
            PAYMENT_LATENCY_MS: '1000-1500',
          }),
        ),
      ),
      OrdersProcess.start(env('stopping'), { name: 'stopping' }),
      OrdersProcess.start(env('staying'), { name: 'staying' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all(recorders.map((r) => r.stop()));
    await disposeLeftovers();
    await relay?.close();
    await payments?.close();
    await Promise.all([ordersDb?.dispose(), paymentsDb?.dispose()]);
  });

  it('finishes requests in flight, closes subscriptions with 1001, and drops no work', async () => {
    onTestFailed(() => {
      console.error(`stopping process output:\n${stopping.tail(30)}`);
    });
    const placed: string[] = [];
    let count = 0;
    const place = async (on: OrdersProcess): Promise<string> => {
      count += 1;
      const token = count % 4 === 0 ? 'tok_decline' : 'tok_approve';
      const result = await postGraphQL<{ createOrder: OrderResult }>(on.url, CREATE_ORDER, {
        input: orderInput({ paymentToken: token }),
      });
      const id = result.data?.createOrder.id;
      if (id === undefined) throw new Error(`createOrder failed: ${JSON.stringify(result)}`);
      placed.push(id);
      return id;
    };
    // A subscriber on the process that stays sees everything; those on the one that stops are
    // told it is going away.
    const witness = await TransitionRecorder.start('staying subscriber', staying.wsUrl, () =>
      place(staying),
    );
    recorders.push(witness);
    witness.watchAll();
    const leaving = await Promise.all(
      [1, 2, 3].map((n) =>
        TransitionRecorder.start(`stopping subscriber ${n}`, stopping.wsUrl, () => place(stopping)),
      ),
    );
    recorders.push(...leaving);

    // Work in flight on the process about to stop: payment calls it claimed, and requests it
    // has started reading (their bodies arrive only after the signal).
    await Promise.all(Array.from({ length: 24 }, () => place(stopping)));
    await waitFor(() => (relay?.inFlight() ?? []).some((c) => c.caller === 'stopping'), 5_000);
    const slow = [
      slowRequest(stopping.port, { query: CREATE_ORDER, variables: { input: orderInput() } }),
      slowRequest(stopping.port, { query: CREATE_ORDER, variables: { input: orderInput() } }),
      slowRequest(stopping.port, { query: BIG_PAGE }),
    ];
    // The process has read each one's headers (it said 100 Continue): begun, not merely queued.
    await Promise.all(slow.map((r) => r.started));

    const inFlightAtSignal: RelayedCall[] = (relay?.inFlight() ?? []).filter(
      (c) => c.caller === 'stopping',
    );
    for (const recorder of leaving) recorder.expectClose();
    const exited = stopping.kill('SIGTERM', 20_000);
    await pause(300);
    for (const request of slow) request.finish();
    const answers = await Promise.all(slow.map((r) => r.answer));
    const exit = await exited;

    // Every request the process had begun was answered in full.
    for (const answer of answers) {
      expect(answer, JSON.stringify(answer)).toMatchObject({ status: 200 });
      const body = JSON.parse('body' in answer ? answer.body : '{}') as {
        data?: { createOrder?: OrderResult; orders?: unknown };
        errors?: unknown;
      };
      expect(body.errors, JSON.stringify(body)).toBeUndefined();
      if (body.data?.createOrder) placed.push(body.data.createOrder.id);
    }
    expect(placed.length).toBeGreaterThan(24);
    // A clean exit, and every subscriber of the stopping process got a proper close.
    expect(exit).toEqual({ code: 0, signal: null });
    await waitFor(() => leaving.every((r) => r.closeCodes.length > 0), 5_000);
    expect(leaving.map((r) => r.closeCodes)).toEqual(leaving.map(() => [GOING_AWAY]));
    // The payment calls it had in flight were answered to it (it waited for them), not cut off.
    expect(inFlightAtSignal.length).toBeGreaterThan(0);
    for (const call of inFlightAtSignal) {
      const ended = relay?.calls.find((c) => c.key === call.key && c.startedAt === call.startedAt);
      expect(
        [ended?.status !== null, ended?.callerGone],
        `payment call for ${String(call.key)}`,
      ).toEqual([true, false]);
    }
    const errors = stopping.logEntries().filter((e) => Number(e.level) >= 50);
    expect(errors).toEqual([]);

    // The process that stayed finishes everything; its subscriber saw every transition.
    const report = await assertInvariants({
      ordersDatabaseUrl: (ordersDb as TestDatabase).url,
      paymentsUrl: (payments as RunningPaymentsApi).url,
      orderIds: placed,
      recordings: [witness],
    });
    console.info(
      `graceful-shutdown: ${inFlightAtSignal.length} payment calls and ${slow.length} requests in flight at SIGTERM; ${JSON.stringify(report)}`,
    );
  });
});

/**
 * A POST to /graphql whose headers are sent now, the first half of the body once the server has
 * begun it, the rest on `finish()`: a request the server is reading, deterministically in flight. A fresh
 * connection, so no idle keep-alive socket is involved.
 */
function slowRequest(port: number, body: Record<string, unknown>): SlowRequest {
  const payload = Buffer.from(JSON.stringify(body));
  const half = Math.floor(payload.length / 2);
  let finish: () => void = () => undefined;
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const answer = new Promise<{ status: number; body: string } | { error: string }>((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/graphql',
        agent: false,
        // Node's server answers 100 Continue once it has parsed the headers: the sign that
        // the request has begun there, rather than waiting in a socket backlog.
        headers: {
          'content-type': 'application/json',
          'content-length': payload.length,
          expect: '100-continue',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    req.on('error', (error) => {
      resolve({ error: String(error) });
      markStarted();
    });
    req.on('continue', () => {
      req.write(payload.subarray(0, half));
      markStarted();
    });
    req.flushHeaders();
    finish = () => {
      req.end(payload.subarray(half));
    };
  });
  return {
    finish: () => {
      finish();
    },
    started,
    answer,
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await pause(20);
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
