import { request } from 'node:http';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import {
  loadSettings as loadPaymentsSettings,
  startPaymentsApi,
  type RunningPaymentsApi,
} from '@oms/payments-api';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import {
  TransitionRecorder,
  assertInvariants,
  restrictRecording,
  type InvariantReport,
} from './support/invariants.js';
import { PrivatePostgres } from './support/private-postgres.js';
import { OrdersProcess, killAllOrdersProcesses } from './support/processes.js';
import {
  CANCEL_ORDER,
  CREATE_ORDER,
  TEST_PAYMENTS_TOKEN,
  orderInput,
  ordersEnv,
  paymentsEnv,
  type GraphQLResponse,
  type OrderResult,
} from './support/stack.js';

/**
 * The machine's shared server (TEST_DATABASE_URL) is used by other test runs and must not be
 * restarted: the services get a cluster of their own. It runs in the PostgreSQL pass only; the
 * embedded database has no server to restart.
 */
const located = PrivatePostgres.locate();
const skipReason = !process.env.TEST_DATABASE_URL
  ? 'runs in the PostgreSQL pass only (TEST_DATABASE_URL unset: the embedded database has no server to restart)'
  : 'missing' in located
    ? located.missing
    : null;
if (skipReason !== null) console.info(`database-restart: skipped: ${skipReason}`);

/** How long the server stays down, with load still arriving. */
const OUTAGE_MS = 2_500;
/** Bound on each service noticing the outage, and on recovering once the server is back. */
const NOTICE_MS = 10_000;
const RECOVER_MS = 5_000;
/** What an internal error may not show a client: stacks, SQL, driver and network details. */
const INTERNALS =
  /stack|\bat \S+ \(|\.[cm]?[jt]s:\d+|select |insert |update |postgres|ECONN|connect|socket|terminat/i;

interface Attempt {
  at: number;
  response: GraphQLResponse<{ createOrder?: OrderResult; cancelOrder?: OrderResult }> | null;
  text: string;
}

describe.skipIf(skipReason !== null)('PostgreSQL restarted under load', () => {
  let pg: PrivatePostgres | undefined;
  let ordersDb: TestDatabase | undefined;
  let paymentsDb: TestDatabase | undefined;
  let payments: RunningPaymentsApi | undefined;
  let orders: OrdersProcess | undefined;
  let recorder: TransitionRecorder | undefined;
  /** payments-api's error lines, shown when the test fails. */
  const paymentsErrors: string[] = [];

  beforeAll(async () => {
    const { bin } = located as { bin: string };
    pg = await PrivatePostgres.start(bin);
    const server = pg.url();
    [ordersDb, paymentsDb] = await Promise.all([
      createTestDatabase(server),
      createTestDatabase(server),
    ]);
    // Production mode: what a client sees of an internal error is what production shows.
    payments = await startPaymentsApi(
      loadPaymentsSettings(
        paymentsEnv(paymentsDb, { NODE_ENV: 'production', PAYMENT_LATENCY_MS: '10-50' }),
      ),
      {
        logger: pino(
          { level: 'error' },
          {
            write: (line: string) => {
              paymentsErrors.push(line);
            },
          },
        ),
      },
    );
    orders = await OrdersProcess.start(
      ordersEnv(ordersDb, payments.url, {
        NODE_ENV: 'production',
        LOG_LEVEL: 'warn',
        DELIVERY_DELAY_SECONDS: '1',
        // The outage lasts seconds; payment calls fail (payments-api's database is down too)
        // and are retried, never given up on in this test.
        PAYMENT_MAX_ATTEMPTS: '40',
        WORKER_IDLE_POLL_MS: '100',
      }),
      { name: 'orders' },
    );
  });

  afterAll(async () => {
    await recorder?.stop();
    await killAllOrdersProcesses();
    await payments?.close();
    // Dropped with the cluster.
    await pg?.dispose();
  });

  it('reports the outage on /ready, answers without internals, recovers by itself and loses nothing', async () => {
    const api = orders as OrdersProcess;
    const cluster = pg as PrivatePostgres;
    onTestFailed(() => {
      console.error(
        // What it printed besides its JSON log: a crash's stack, if it crashed.
        `orders-api (exit ${JSON.stringify(api.exit)}):\n${api.lines
          .filter((l) => !l.startsWith('{'))
          .slice(-40)
          .join('\n')}\n` + `payments-api errors:\n${paymentsErrors.slice(-5).join('')}`,
      );
    });
    const paymentsUrl = (payments as RunningPaymentsApi).url;
    const accepted: string[] = [];
    /** When each accepted order was created (the database's clock, on this machine). */
    const createdAt = new Map<string, number>();
    const refused: Attempt[] = [];
    let placed = 0;
    const create = async (): Promise<void> => {
      const token = ['tok_approve', 'tok_approve', 'tok_decline', 'tok_random'][placed++ % 4];
      const attempt = await send(api.url, CREATE_ORDER, {
        input: orderInput({ paymentToken: token }),
      });
      const order = attempt.response?.data?.createOrder;
      if (order) {
        accepted.push(order.id);
        createdAt.set(order.id, Date.parse(order.createdAt));
        // Some are cancelled at once, so the outage finds orders in every state.
        if (placed % 5 === 0) {
          const cancel = await send(api.url, CANCEL_ORDER, { id: order.id });
          const code = cancel.response?.errors?.[0]?.extensions?.code;
          // Refused only by the outage: a cancel that came too late is an answer like any other.
          if (!cancel.response?.data?.cancelOrder && code !== 'ORDER_NOT_CANCELLABLE') {
            refused.push(cancel);
          }
        }
      } else {
        refused.push(attempt);
      }
    };
    const probe = async () => {
      const created = await send(api.url, CREATE_ORDER, { input: orderInput() });
      const order = created.response?.data?.createOrder;
      if (!order) throw new Error(`probe order failed: ${created.text}`);
      accepted.push(order.id);
      createdAt.set(order.id, Date.parse(order.createdAt));
      return order.id;
    };
    recorder = await TransitionRecorder.start('subscriber', api.wsUrl, probe);

    // Load: four clients placing (and sometimes cancelling) orders until told to stop.
    let loading = true;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        while (loading) {
          await create();
          await pause(20);
        }
      }),
    );
    await pause(1_500);

    const downAt = Date.now();
    await cluster.stop('fast');
    const ordersReady = await waitForReady(`${origin(api.url)}/ready`, 503, NOTICE_MS);
    const paymentsReady = await waitForReady(`${paymentsUrl}/ready`, 503, NOTICE_MS);
    const noticedMs = Date.now() - downAt;
    expect(ordersReady.body).toMatchObject({ status: 'unavailable' });
    expect((ordersReady.body as { failing: string[] }).failing).toContain('database');
    expect(paymentsReady.body).toMatchObject({ status: 503, type: 'not-ready' });

    // Down: reads, too, are answered as internal errors with nothing of the cause in them.
    const read = await send(api.url, '{ orders(first: 5) { edges { node { id } } } }', {});
    refused.push(read);
    const lookup = await fetch(`${paymentsUrl}/payments?orderId=any`, {
      headers: { authorization: `Bearer ${TEST_PAYMENTS_TOKEN}` },
    });
    const lookupText = await lookup.text();
    expect(lookup.status).toBe(500);
    expect(lookupText).not.toMatch(INTERNALS);
    await pause(Math.max(0, OUTAGE_MS - (Date.now() - downAt)));

    const upAt = Date.now();
    await cluster.startServer();
    await waitForReady(`${origin(api.url)}/ready`, 200, RECOVER_MS);
    await waitForReady(`${paymentsUrl}/ready`, 200, RECOVER_MS);
    const recoveredMs = Date.now() - upAt;

    // Events flow again once an order created now reaches the subscriber that stayed connected
    // (LISTEN reconnected, and the reads behind each event work). Until then events may be lost:
    // the outage is not over for subscribers (a known limit: they re-read after an outage).
    const listeningAgain = Date.now();
    for (;;) {
      // Right after the restart a pooled connection the server closed may still fail a query
      // once; such a probe is like any refused request, and the next one is tried.
      const id = await probe().catch(() => null);
      await pause(300);
      if (id !== null && recorder.events().some((e) => e.id === id)) break;
      if (Date.now() - listeningAgain > RECOVER_MS) {
        throw new Error(`no event reached the subscriber ${RECOVER_MS} ms after the restart`);
      }
    }
    // LISTEN was up when that event was sent: every order created from now on commits later, so
    // its events must all arrive. (Not every order whose answer comes now: a request that began
    // during the outage may have committed before LISTEN was back and answered only now.)
    const liveSince = Date.now();
    const listenMs = liveSince - listeningAgain;
    await pause(1_500);
    loading = false;
    await load;
    const afterRecovery = new Set(accepted.filter((id) => (createdAt.get(id) ?? 0) > liveSince));
    expect(afterRecovery.size).toBeGreaterThan(0);

    // The same process did all of it: it reconnected by itself.
    expect(api.exit).toBeNull();
    // Refusals happened only because of the outage, each a bare INTERNAL_SERVER_ERROR.
    expect(refused.length).toBeGreaterThan(0);
    for (const attempt of refused) {
      expect(attempt.at, attempt.text).toBeGreaterThanOrEqual(downAt - 1_000);
      expect(attempt.response?.status, attempt.text).toBe(200);
      expect(attempt.response?.errors, attempt.text).toEqual([
        expect.objectContaining({
          message: 'Internal server error',
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        }),
      ]);
      expect(attempt.text).not.toMatch(INTERNALS);
    }

    // Every order accepted before, during and after the outage reaches a final state; the
    // subscriber saw every transition of the orders created once LISTEN was back.
    const report: InvariantReport = await assertInvariants({
      ordersDatabaseUrl: (ordersDb as TestDatabase).url,
      paymentsUrl,
      orderIds: accepted,
      recordings: [restrictRecording(recorder, afterRecovery)],
      settleTimeoutMs: 40_000,
    });
    expect(recorder.problems()).toEqual([]);
    console.info(
      `database-restart: ${accepted.length} orders accepted, ${refused.length} requests refused during the outage; ` +
        `/ready said 503 ${noticedMs} ms after the stop, 200 ${recoveredMs} ms after the start, ` +
        `events flowing again ${listenMs} ms later; ${JSON.stringify(report)}`,
    );
  });
});

/**
 * POSTs one operation on a connection of its own (no keep-alive: a reused socket the server
 * has just closed would fail the request for a reason that is not the outage).
 */
async function send(
  url: string,
  query: string,
  variables: Record<string, unknown>,
): Promise<Attempt> {
  const at = Date.now();
  const body = JSON.stringify({ query, variables });
  const { status, text } = await new Promise<{ status: number; text: string }>(
    (resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
  const parsed = JSON.parse(text) as Omit<Attempt['response'] & object, 'status'>;
  return { at, response: { status, ...parsed }, text };
}

async function waitForReady(
  url: string,
  status: number,
  timeoutMs: number,
): Promise<{ status: number; body: unknown }> {
  const deadline = Date.now() + timeoutMs;
  let last: { status: number; body: unknown };
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
      last = { status: response.status, body: await response.json() };
      if (response.status === status) return last;
    } catch (error) {
      last = { status: 0, body: String(error) };
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${url} did not answer ${status} in ${timeoutMs} ms: ${JSON.stringify(last)}`,
      );
    }
    await pause(100);
  }
}

function origin(graphqlUrl: string): string {
  return new URL(graphqlUrl).origin;
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
