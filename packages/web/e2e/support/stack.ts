import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PaymentsGate } from './payments-gate.js';

/** packages/web */
const WEB_DIR = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGES_DIR = dirname(WEB_DIR);
/** Where each child's output goes, beside Playwright's own output. */
export const STACK_LOG_DIR = join(WEB_DIR, 'test-results', 'stack');

/** Environment a child needs from ours to run Node at all; nothing else (no DATABASE_URL) leaks in. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG'] as const;

/** Service token shared by orders-api and payments-api for this run only. */
const PAYMENTS_API_TOKEN = 'e2e-payments-token';

/**
 * Seconds from confirmation to delivery. Short, so CREATED → CONFIRMED → DELIVERED is watched in
 * a few seconds; long enough that a page showing "Confirmed" is still right when it is checked.
 */
export const DELIVERY_DELAY_SECONDS = 3;

/** A fresh embedded database is created at start (initdb, migrations): give it time. */
const READY_TIMEOUT_MS = 90_000;
const STOP_GRACE_MS = 10_000;
const TAIL_LINES = 60;

/** A free TCP port on the loopback interface (found by listening on port 0 and closing). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  if (address === null || typeof address === 'string') throw new Error('no port was assigned');
  return address.port;
}

/** `count` distinct free loopback ports. */
async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

interface ServiceSpec {
  name: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Answers 2xx once the service can take requests. */
  readyUrl: string;
}

/** Every child started and not yet exited, so a crashed run never leaves one behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** One child process of the stack, its output written to `test-results/stack/<name>.log`. */
class Service {
  private readonly recent: string[] = [];
  /** Milliseconds from spawn to ready. */
  startupMs = 0;
  private exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    private readonly log: WriteStream,
    readonly logPath: string,
  ) {
    this.exited = new Promise<void>((resolve) => {
      // 'close' rather than 'exit': by then its output has been read to the end.
      child.once('close', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        resolve();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        log.write(chunk);
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        this.remember(lines);
      });
      // A last line without a newline (a crash message) still belongs in the tail.
      stream?.on('end', () => {
        if (partial !== '') this.remember([partial]);
      });
    }
  }

  /** Spawns `node <args>` with exactly `env` (plus PATH and the like) and waits until ready. */
  static async start(spec: ServiceSpec): Promise<Service> {
    mkdirSync(STACK_LOG_DIR, { recursive: true });
    const logPath = join(STACK_LOG_DIR, `${spec.name}.log`);
    const log = createWriteStream(logPath, { flags: 'w' });
    const inherited = Object.fromEntries(
      INHERITED_ENV.flatMap((key) => {
        const value = process.env[key];
        return value === undefined ? [] : [[key, value]];
      }),
    );
    const child = spawn(process.execPath, spec.args, {
      cwd: spec.cwd,
      env: { ...inherited, ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const service = new Service(spec.name, child, log, logPath);
    const spawnedAt = Date.now();
    try {
      await service.waitUntilReady(spec.readyUrl);
      service.startupMs = Date.now() - spawnedAt;
    } catch (error) {
      await service.stop();
      throw error;
    }
    return service;
  }

  /** SIGTERM, then SIGKILL if it has not exited within the grace period. */
  async stop(): Promise<void> {
    if (this.exit === null) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => this.log.end(resolve));
  }

  private async waitUntilReady(url: string): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (this.exit !== null) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exit)}) before it was ready; ` +
            `last output (full log: ${this.logPath}):\n${this.tail()}`,
        );
      }
      let last: string;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        if (response.ok) return;
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${this.name} was not ready after ${READY_TIMEOUT_MS} ms (GET ${url}: ${last}); ` +
            `last output (full log: ${this.logPath}):\n${this.tail()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private remember(lines: string[]): void {
    this.recent.push(...lines);
    this.recent.splice(0, Math.max(0, this.recent.length - TAIL_LINES));
  }

  private tail(): string {
    return this.recent.join('\n') || '(no output)';
  }
}

/** What the tests need to know about the running stack. */
export interface StackUrls {
  /** The SPA (vite preview), which proxies `/graphql` to orders-api. */
  webUrl: string;
  /** orders-api's base URL; GraphQL is at `/graphql`. */
  ordersApiUrl: string;
  /** The payments gate in front of payments-api (see payments-gate.ts). */
  paymentsGateUrl: string;
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
 * Starts payments-api, the payments gate, orders-api (both on embedded databases in a fresh
 * temporary folder) and `vite preview` of the built SPA, each on a free loopback port.
 */
export async function startStack(): Promise<Stack> {
  if (!existsSync(join(WEB_DIR, 'dist', 'index.html'))) {
    throw new Error(
      'packages/web/dist is missing: build the SPA first (`pnpm vite build` in packages/web, ' +
        'or `pnpm test:e2e`, which builds and then runs Playwright).',
    );
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'oms-e2e-'));
  let payments: Service | undefined;
  let gate: PaymentsGate | undefined;
  let orders: Service | undefined;
  let securedOrders: Service | undefined;
  let web: Service | undefined;
  let securedWeb: Service | undefined;
  const stop = async () => {
    // The SPA first, then the gate (so held charges end and orders-api can drain), then the APIs.
    await Promise.all([web?.stop(), securedWeb?.stop()]);
    await gate?.close();
    await Promise.all([orders?.stop(), securedOrders?.stop()]);
    await payments?.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
  try {
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
    gate = await PaymentsGate.start(paymentsUrl);
    const gateUrl = gate.url;
    // orders-api needs payments-api only once an order is placed, so both create their
    // databases at the same time: the slowest part of the setup, done once instead of twice.
    const ordersEnv = (port: number, dir: string, ideUrl: string) => ({
      ...common,
      ORDERS_PORT: String(port),
      ORDERS_HOST: '127.0.0.1',
      ORDERS_DATA_DIR: join(dataDir, dir),
      PAYMENTS_URL: gateUrl,
      DELIVERY_DELAY_SECONDS: String(DELIVERY_DELAY_SECONDS),
      // A held charge (payments-gate.ts) stays one call in flight rather than timing out
      // into retries, so releasing it takes effect at once.
      PAYMENT_TIMEOUT_MS: '60000',
      WORKER_IDLE_POLL_MS: '200',
      // A browser opening orders-api's /graphql is sent to the SPA's IDE.
      ORDERS_IDE_URL: `${ideUrl}/graphiql`,
    });
    const [paymentsStarted, ordersStarted, securedStarted] = await Promise.allSettled([
      Service.start({
        name: 'payments-api',
        args: ['--import', 'tsx', 'src/main.ts'],
        cwd: join(PACKAGES_DIR, 'payments-api'),
        env: {
          ...common,
          PAYMENTS_PORT: String(paymentsPort),
          PAYMENTS_HOST: '127.0.0.1',
          PAYMENTS_DATA_DIR: join(dataDir, 'payments'),
        },
        readyUrl: `${paymentsUrl}/ready`,
      }),
      Service.start({
        name: 'orders-api',
        args: ['--import', 'tsx', 'src/main.ts'],
        cwd: join(PACKAGES_DIR, 'orders-api'),
        env: ordersEnv(ordersPort, 'orders', webUrl),
        readyUrl: `${ordersApiUrl}/ready`,
      }),
      Service.start({
        name: 'orders-api-secured',
        args: ['--import', 'tsx', 'src/main.ts'],
        cwd: join(PACKAGES_DIR, 'orders-api'),
        env: {
          ...ordersEnv(securedOrdersPort, 'orders-secured', securedWebUrl),
          ORDERS_JWT_SECRET: jwtSecret,
        },
        readyUrl: `${securedOrdersApiUrl}/ready`,
      }),
    ]);
    if (paymentsStarted.status === 'fulfilled') payments = paymentsStarted.value;
    if (ordersStarted.status === 'fulfilled') orders = ordersStarted.value;
    if (securedStarted.status === 'fulfilled') securedOrders = securedStarted.value;
    for (const started of [paymentsStarted, ordersStarted, securedStarted]) {
      if (started.status === 'rejected') throw started.reason;
    }
    if (payments === undefined || orders === undefined || securedOrders === undefined) {
      throw new Error('unreachable');
    }
    const preview = (name: string, port: number, url: string, apiUrl: string) =>
      Service.start({
        name,
        args: [viteCli(), 'preview'],
        cwd: WEB_DIR,
        env: { WEB_PORT: String(port), WEB_HOST: '127.0.0.1', ORDERS_API_URL: apiUrl },
        readyUrl: `${url}/orders`,
      });
    const [webStarted, securedWebStarted] = await Promise.allSettled([
      preview('web-preview', webPort, webUrl, ordersApiUrl),
      preview('web-preview-secured', securedWebPort, securedWebUrl, securedOrdersApiUrl),
    ]);
    if (webStarted.status === 'fulfilled') web = webStarted.value;
    if (securedWebStarted.status === 'fulfilled') securedWeb = securedWebStarted.value;
    if (webStarted.status === 'rejected') throw webStarted.reason;
    if (securedWebStarted.status === 'rejected') throw securedWebStarted.reason;
    const startup = Object.fromEntries(
      [payments, orders, securedOrders, web, securedWeb]
        .filter((s) => s !== undefined)
        .map((s) => [s.name, Math.round(s.startupMs / 100) / 10]),
    );
    return {
      webUrl,
      ordersApiUrl,
      paymentsGateUrl: gate.url,
      secured: { webUrl: securedWebUrl, ordersApiUrl: securedOrdersApiUrl, jwtSecret },
      startup,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
