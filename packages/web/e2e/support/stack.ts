import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  disposeLeftovers,
  freePorts,
  serviceEntry,
  startService,
  type ServiceOptions,
  type ServiceProcess,
} from '@oms/testing';
import { copyEmptyCluster } from '@oms/database/testing';
import { PaymentsRelay } from '@oms/testing/payments-relay';

/** packages/web */
const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES_DIR = dirname(WEB_DIR);
/** Where each child's output goes, beside Playwright's own output. */
export const STACK_LOG_DIR = join(WEB_DIR, 'test-results', 'stack');

/** The variable through which global setup hands the workers their stacks (JSON, one per worker). */
export const STACKS_VARIABLE = 'E2E_STACKS';

/** Service token shared by orders-api and payments-api for this run only. */
const PAYMENTS_API_TOKEN = 'e2e-payments-token';

/**
 * Seconds from confirmation to delivery. Short, so CREATED → CONFIRMED → DELIVERED is watched in
 * a few seconds; long enough that a page showing "Confirmed" is still right when it is checked.
 */
export const DELIVERY_DELAY_SECONDS = 3;

/**
 * A payment token payments-api never sees: the relay holds such a charge until a test releases
 * it. An order paid with it stays CREATED, cancellable, for as long as a test needs, instead of
 * for the few hundred milliseconds a real payment takes; that is what makes cancel tests exact.
 */
export const HELD_PAYMENT_TOKEN = 'tok_e2e_hold';

/** Each service migrates its new embedded database at start: give it time on a loaded machine. */
const READY_TIMEOUT_MS = 90_000;

/** One process of a stack, its output written to `<logDir>/<name>.log`. */
function startProcess(
  logDir: string,
  spec: Pick<ServiceOptions, 'name' | 'cwd' | 'port' | 'env' | 'readyPath' | 'entry'>,
): Promise<ServiceProcess> {
  return startService({
    // The services' bundles, as production runs them (their sources when those are newer).
    entry: spec.entry ?? serviceEntry(spec.cwd),
    ...spec,
    logFile: join(logDir, `${spec.name}.log`),
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
}

/** What the tests need to know about the running stack. */
export interface StackUrls {
  /** The SPA (vite preview), which proxies `/graphql` to orders-api. */
  webUrl: string;
  /** orders-api's base URL; GraphQL is at `/graphql`. */
  ordersApiUrl: string;
  /** The payments relay in front of payments-api, which holds HELD_PAYMENT_TOKEN's charges. */
  paymentsRelayUrl: string;
  /**
   * A second orders-api on the same payments-api, with per-customer access on
   * (ORDERS_JWT_SECRET), and the SPA served in front of it.
   */
  secured: { webUrl: string; ordersApiUrl: string; jwtSecret: string };
}

/** The running stack; `stop()` ends every process and removes the data. */
export interface Stack extends StackUrls {
  /** Seconds each process took to become ready, for the setup's log line. */
  startup: Record<string, number>;
  stop(): Promise<void>;
}

/** The vite CLI of this package, run with our own Node so signals reach it directly. */
function viteCli(): string {
  const require = createRequire(join(WEB_DIR, 'package.json'));
  return join(dirname(require.resolve('vite/package.json')), 'bin', 'vite.js');
}

/**
 * Starts payments-api, the payments relay, orders-api (both on embedded databases in a fresh
 * temporary folder) and `vite preview` of the built SPA, each on a free loopback port. `name`
 * names its log folder under test-results/stack.
 */
export async function startStack(name: string): Promise<Stack> {
  const logDir = join(STACK_LOG_DIR, name);
  if (!existsSync(join(WEB_DIR, 'dist', 'index.html'))) {
    throw new Error(
      'packages/web/dist is missing: build the SPA first (`pnpm vite build` in packages/web, ' +
        'or `pnpm test:e2e`, which builds and then runs Playwright).',
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'oms-e2e-'));
  try {
    // Each service's embedded database starts as a copy of an initialised empty cluster: initdb
    // in WebAssembly took most of the stack's start, six times over with two workers.
    await Promise.all(
      ['orders', 'orders-secured', 'payments'].map((dir) => copyEmptyCluster(join(dataDir, dir))),
    );
    // freePorts returns as many distinct ports as asked for.
    const [paymentsPort, ordersPort, webPort, securedOrdersPort, securedWebPort] = (await freePorts(
      5,
    )) as [number, number, number, number, number];
    // A fresh secret per run: the tests sign their own tokens with it.
    const jwtSecret = randomBytes(32).toString('hex');
    const common = { NODE_ENV: 'test', LOG_LEVEL: 'warn', PAYMENTS_API_TOKEN };
    const paymentsUrl = `http://127.0.0.1:${paymentsPort}`;
    const ordersApiUrl = `http://127.0.0.1:${ordersPort}`;
    const webUrl = `http://127.0.0.1:${webPort}`;
    const securedOrdersApiUrl = `http://127.0.0.1:${securedOrdersPort}`;
    const securedWebUrl = `http://127.0.0.1:${securedWebPort}`;
    const relay = await PaymentsRelay.start(paymentsUrl, {
      hold: { token: HELD_PAYMENT_TOKEN, releasedAs: 'tok_approve' },
    });
    // orders-api needs payments-api only once an order is placed, so both create their
    // databases at the same time: the slowest part of the setup, done once instead of twice.
    const ordersApi = (
      name: string,
      port: number,
      dir: string,
      ideUrl: string,
      extra: Record<string, string> = {},
    ) =>
      startProcess(logDir, {
        name,
        cwd: join(PACKAGES_DIR, 'orders-api'),
        port,
        env: {
          ...common,
          ORDERS_PORT: String(port),
          ORDERS_HOST: '127.0.0.1',
          ORDERS_DATA_DIR: join(dataDir, dir),
          PAYMENTS_URL: relay.url,
          DELIVERY_DELAY_SECONDS: String(DELIVERY_DELAY_SECONDS),
          // A held charge stays one call in flight rather than timing out into retries, so
          // releasing it takes effect at once.
          PAYMENT_TIMEOUT_MS: '60000',
          // Each order its own call: a batch waits for every charge in it, so an order paid with
          // the held token would hold up the orders paid together with it.
          PAYMENT_BATCH_SIZE: '1',
          WORKER_IDLE_POLL_MS: '200',
          // Webhook receivers in the tests fail on purpose and then recover: a retry comes soon.
          WEBHOOKS_RETRY_BASE_SECONDS: '0.5',
          // A browser opening orders-api's /graphql is sent to the SPA's IDE.
          ORDERS_IDE_URL: `${ideUrl}/graphiql`,
          ...extra,
        },
      });
    const [payments, orders, securedOrders] = await allStarted([
      startProcess(logDir, {
        name: 'payments-api',
        cwd: join(PACKAGES_DIR, 'payments-api'),
        port: paymentsPort,
        env: {
          ...common,
          PAYMENTS_PORT: String(paymentsPort),
          PAYMENTS_HOST: '127.0.0.1',
          PAYMENTS_DATA_DIR: join(dataDir, 'payments'),
        },
      }),
      ordersApi('orders-api', ordersPort, 'orders', webUrl),
      ordersApi('orders-api-secured', securedOrdersPort, 'orders-secured', securedWebUrl, {
        ORDERS_JWT_SECRET: jwtSecret,
      }),
    ]);
    const preview = (name: string, port: number, apiUrl: string) =>
      startProcess(logDir, {
        name,
        cwd: WEB_DIR,
        port,
        entry: [viteCli(), 'preview'],
        env: { WEB_PORT: String(port), WEB_HOST: '127.0.0.1', ORDERS_API_URL: apiUrl },
        readyPath: '/orders',
      });
    const [web, securedWeb] = await allStarted([
      preview('web-preview', webPort, ordersApiUrl),
      preview('web-preview-secured', securedWebPort, securedOrdersApiUrl),
    ]);
    const startup = Object.fromEntries(
      [payments, orders, securedOrders, web, securedWeb].map((s) => [
        s.name,
        Math.round(s.readyAfterMs / 100) / 10,
      ]),
    );
    return {
      webUrl,
      ordersApiUrl,
      paymentsRelayUrl: relay.url,
      secured: { webUrl: securedWebUrl, ordersApiUrl: securedOrdersApiUrl, jwtSecret },
      startup,
      async stop() {
        // The SPA first, then the relay (so held charges end and orders-api can drain), then
        // the APIs.
        await Promise.all([web.stop(), securedWeb.stop()]);
        await relay.close();
        await Promise.all([orders.stop(), securedOrders.stop()]);
        await payments.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    // Whatever did start (processes, the relay) is a leftover: ended here, not left running.
    await disposeLeftovers();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Waits for every start to end, then gives every process or the first failure. */
async function allStarted<const T extends readonly Promise<ServiceProcess>[]>(
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  for (const started of settled) {
    if (started.status === 'rejected') throw started.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<ServiceProcess>).value) as {
    -readonly [K in keyof T]: Awaited<T[K]>;
  };
}
