import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The orders-api package folder: the child's working directory, so `--import tsx` resolves. */
const PACKAGE_DIR = fileURLToPath(new URL('../..', import.meta.url));

/** Environment a child needs from ours to run Node at all; nothing else leaks in. */
const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG'] as const;

const MAX_LOG_LINES = 20_000;

/** How a child ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Every child spawned by this module and not yet exited, so a test run never leaves one behind. */
const live = new Set<ChildProcess>();

process.once('exit', () => {
  // Last resort when a test file ends without its afterAll (a crash, a timeout): no orphans.
  for (const child of live) child.kill('SIGKILL');
});

/** A free TCP port on the loopback interface (found by listening on port 0 and closing). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

export interface SpawnOptions {
  /** Name used in error messages, e.g. `orders-1`. */
  name?: string;
  /** How long to wait for `GET /health`; a fresh embedded database takes a while to create. */
  readyTimeoutMs?: number;
}

/**
 * orders-api as a real child process (`node --import tsx src/main.ts`), on a free port chosen
 * before it starts, so its URL is known without reading its logs.
 */
export class OrdersProcess {
  /** stdout and stderr lines, in arrival order (pino writes one JSON object per line). */
  readonly lines: string[] = [];
  /** Resolves once the process has exited, however it ended. */
  readonly exited: Promise<ProcessExit>;
  exit: ProcessExit | null = null;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise<ProcessExit>((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) if (this.lines.length < MAX_LOG_LINES) this.lines.push(line);
      });
    }
  }

  /**
   * Starts orders-api with exactly `env` (plus PATH and the like; ORDERS_PORT is replaced by a
   * free port) and resolves once `GET /health` answers. Rejects, with the child's output, if it
   * exits or is not ready in time.
   */
  static async start(
    env: Record<string, string>,
    options: SpawnOptions = {},
  ): Promise<OrdersProcess> {
    const port = await freePort();
    const inherited = Object.fromEntries(
      INHERITED_ENV.flatMap((key) => {
        const value = process.env[key];
        return value === undefined ? [] : [[key, value]];
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: PACKAGE_DIR,
      env: { ...inherited, ...env, ORDERS_PORT: String(port), ORDERS_HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    live.add(child);
    const started = new OrdersProcess(options.name ?? `orders-api:${port}`, port, child);
    try {
      await started.waitUntilHealthy(options.readyTimeoutMs ?? 45_000);
    } catch (error) {
      await started.kill('SIGKILL');
      throw error;
    }
    return started;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The GraphQL endpoint, over HTTP. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/graphql`;
  }

  /** The GraphQL endpoint, over WebSocket (graphql-ws). */
  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}/graphql`;
  }

  /**
   * Sends `signal` and resolves once the process has exited. A process that ignores SIGTERM for
   * `graceMs` is killed outright, so this always ends.
   */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = 15_000): Promise<ProcessExit> {
    if (this.exit !== null) return this.exit;
    this.child.kill(signal);
    if (signal === 'SIGKILL') return this.exited;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Log lines parsed as JSON; lines that are not JSON (a stack trace on stderr) are skipped. */
  logEntries(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return isRecord(parsed) ? [parsed] : [];
      } catch {
        return [];
      }
    });
  }

  /** The last lines of output, for error messages. */
  tail(count = 40): string {
    return this.lines.slice(-count).join('\n');
  }

  private async waitUntilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exit !== null) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exit)}) before it was healthy:\n${this.tail()}`,
        );
      }
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/health`, {
          signal: AbortSignal.timeout(1_000),
        });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} was not healthy after ${timeoutMs} ms:\n${this.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Kills every child still running (SIGKILL) and waits for them; for afterAll. */
export async function killAllOrdersProcesses(): Promise<void> {
  const waiting = [...live].map(
    (child) =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGKILL');
      }),
  );
  await Promise.all(waiting);
}

/** One call from an orders-api process to payments-api, as seen on the wire. */
export interface PaymentCall {
  /** Which process made it (the name in its PAYMENTS_URL). */
  caller: string;
  method: string;
  /** Path at payments-api, e.g. `/payments` or `/payments/<id>/refund`. */
  path: string;
  /** The Idempotency-Key header: the order id. */
  key: string | null;
  startedAt: number;
  /** When the caller got its answer or went away; null while the call is in flight. */
  endedAt: number | null;
  /** Status payments-api answered, once it has. */
  status: number | null;
  /** The answer's `id` and `status` fields (the payment record), when it had them. */
  payment: { id: string; status: string } | null;
  /** The caller went away (e.g. was killed) before the answer could be delivered. */
  callerGone: boolean;
}

/**
 * A loopback HTTP relay in front of payments-api that records every call. Each process gets its
 * own base URL (`urlFor(name)`), so the record says which process did which payment work: an
 * honest signal of how work was shared, and of which calls were in flight when a process died.
 */
export class PaymentsRecorder {
  readonly calls: PaymentCall[] = [];

  private constructor(
    private readonly server: Server,
    private readonly target: string,
    readonly port: number,
  ) {}

  static async start(target: string): Promise<PaymentsRecorder> {
    let recorder: PaymentsRecorder | null = null;
    const server = createServer((req, res) => {
      void recorder?.relay(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    recorder = new PaymentsRecorder(
      server,
      target.replace(/\/+$/, ''),
      (server.address() as AddressInfo).port,
    );
    return recorder;
  }

  /** The PAYMENTS_URL to give the process called `caller`. */
  urlFor(caller: string): string {
    return `http://127.0.0.1:${this.port}/via/${encodeURIComponent(caller)}`;
  }

  /** Calls sent but not yet answered to their caller. */
  inFlight(): PaymentCall[] {
    return this.calls.filter((c) => c.endedAt === null);
  }

  /** Charge calls (`POST /payments`), optionally of one caller. */
  charges(caller?: string): PaymentCall[] {
    return this.calls.filter(
      (c) =>
        c.method === 'POST' &&
        c.path === '/payments' &&
        (caller === undefined || c.caller === caller),
    );
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  private async relay(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/via\/([^/]+)(\/.*)$/.exec(req.url ?? '');
    if (match === null) {
      res.writeHead(404).end();
      return;
    }
    const caller = decodeURIComponent(match[1] ?? '');
    const path = match[2] ?? '/';
    const keyHeader = req.headers['idempotency-key'];
    const call: PaymentCall = {
      caller,
      method: req.method ?? 'GET',
      path,
      key: typeof keyHeader === 'string' ? keyHeader : null,
      startedAt: Date.now(),
      endedAt: null,
      status: null,
      payment: null,
      callerGone: false,
    };
    this.calls.push(call);
    res.once('close', () => {
      call.endedAt ??= Date.now();
      if (!res.writableFinished) call.callerGone = true;
    });
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'idempotency-key']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    try {
      // The call goes on even if the caller has died: the provider got it, as on a real network.
      const answer = await fetch(`${this.target}${path}`, {
        method: call.method,
        headers,
        ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
      });
      const body = await answer.text();
      call.status = answer.status;
      call.payment = paymentOf(body);
      if (!res.destroyed) {
        res.writeHead(answer.status, {
          'content-type': answer.headers.get('content-type') ?? 'text/plain',
        });
        res.end(body);
      }
    } catch {
      if (!res.destroyed) res.writeHead(502).end();
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function paymentOf(body: string): { id: string; status: string } | null {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'id' in parsed &&
      'status' in parsed &&
      typeof parsed.id === 'string' &&
      typeof parsed.status === 'string'
    ) {
      return { id: parsed.id, status: parsed.status };
    }
  } catch {
    // Not a payment record (a problem document, an empty body).
  }
  return null;
}

/** A payment record as payments-api shows it. */
export interface PaymentRecord {
  id: string;
  orderId: string;
  status: string;
  amount: number | null;
}

/**
 * payments-api's own records for an order (`GET /payments?orderId=`), its view of what was
 * charged and refunded. Throws, naming the status, when the lookup is refused or missing.
 */
export async function paymentRecordsOf(
  paymentsUrl: string,
  token: string,
  orderId: string,
): Promise<PaymentRecord[]> {
  const response = await fetch(`${paymentsUrl}/payments?orderId=${encodeURIComponent(orderId)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!response.ok) {
    throw new Error(`GET /payments?orderId= answered HTTP ${response.status}`);
  }
  return (await response.json()) as PaymentRecord[];
}
