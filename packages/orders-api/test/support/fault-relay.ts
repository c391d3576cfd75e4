import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the relay does to a charge call instead of passing it through untouched. */
export type Fault =
  /** Answers `status` (and `body`) itself; payments-api never sees the call. */
  | { kind: 'answer'; status: number; body?: string; contentType?: string }
  /**
   * Passes the call on (payments-api acts on it) but holds the answer for `ms` after the call
   * arrived, or until the caller gives up: an answer lost to a timeout.
   */
  | { kind: 'hold'; ms: number }
  /** Destroys the connection as soon as the request arrives, without a byte of answer. */
  | { kind: 'drop' };

/** One call to payments-api, as the relay saw it. */
export interface RelayedCall {
  method: string;
  /** Path at payments-api, e.g. `/payments` or `/payments/void`. */
  path: string;
  /** The Idempotency-Key header (the order id). */
  key: string | null;
  /** The fault applied to it, or null when it was passed through as is. */
  fault: Fault['kind'] | null;
  /** When the request reached the relay (Date.now()). */
  startedAt: number;
  /** When the relay wrote the answer to the caller; null when it wrote none. */
  answeredAt: number | null;
  /** When the connection for the call closed, however it ended. */
  endedAt: number | null;
  /** Status written to the caller; null when none was (dropped, or the caller left first). */
  status: number | null;
  /** The caller went away before an answer was written (its timeout fired). */
  callerGone: boolean;
}

interface ChargeRule {
  fault: Fault;
  /** The fault applies to the first `calls` charge calls of each Idempotency-Key. */
  calls: number;
}

/** Upper bound on a held answer, so a mistaken test cannot keep a connection open for long. */
const MAX_HOLD_MS = 10_000;

/**
 * A loopback HTTP relay in front of payments-api that records every call and injects faults
 * into charge calls (`POST /payments`). Faults count per Idempotency-Key, so a rule set before
 * an order is created applies to that order's own attempts, whichever order they interleave with.
 * Other calls (voids, refunds) always pass through.
 */
export class FaultRelay {
  readonly calls: RelayedCall[] = [];
  private rule: ChargeRule | null = null;
  private readonly chargesByKey = new Map<string, number>();
  /** Ends the hold of each answer being held now. */
  private readonly holds = new Set<() => void>();

  private constructor(
    private readonly server: Server,
    private readonly target: string,
    readonly url: string,
  ) {}

  /**
   * Starts a relay to `target` (payments-api's base URL) on a free loopback port, or on `port`
   * (to bring a closed relay back where its callers expect it).
   */
  static async start(target: string, port = 0): Promise<FaultRelay> {
    let relay: FaultRelay | null = null;
    const server = createServer((req, res) => {
      // A caller that goes away mid-request ends the request stream with an error: nothing to do.
      relay?.handle(req, res).catch(() => {
        res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    const { port: bound } = server.address() as AddressInfo;
    relay = new FaultRelay(server, target.replace(/\/+$/, ''), `http://127.0.0.1:${bound}`);
    return relay;
  }

  /**
   * Applies `fault` to the first `calls` charge calls of every Idempotency-Key (Infinity: all
   * of them); later calls pass through. Replaces any earlier rule.
   */
  failCharges(fault: Fault, calls = Number.POSITIVE_INFINITY): void {
    this.rule = { fault, calls };
  }

  /** Passes everything through from now on. */
  reset(): void {
    this.rule = null;
  }

  /** Answers every call whose answer is being held, now. */
  releaseHeld(): void {
    for (const release of this.holds) release();
  }

  /** Calls made with Idempotency-Key `key`, optionally only those to `path` with POST. */
  callsFor(key: string, path?: string): RelayedCall[] {
    return this.calls.filter(
      (c) => c.key === key && (path === undefined || (c.method === 'POST' && c.path === path)),
    );
  }

  /** Charge calls (`POST /payments`) for `key`, in arrival order. */
  chargesFor(key: string): RelayedCall[] {
    return this.callsFor(key, '/payments');
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) =>
      this.server.close(() => {
        resolve();
      }),
    );
  }

  private faultFor(call: RelayedCall): Fault | null {
    if (call.method !== 'POST' || call.path !== '/payments' || call.key === null) return null;
    const seen = (this.chargesByKey.get(call.key) ?? 0) + 1;
    this.chargesByKey.set(call.key, seen);
    return this.rule !== null && seen <= this.rule.calls ? this.rule.fault : null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const keyHeader = req.headers['idempotency-key'];
    const call: RelayedCall = {
      method: req.method ?? 'GET',
      path: req.url ?? '/',
      key: typeof keyHeader === 'string' ? keyHeader : null,
      fault: null,
      startedAt: Date.now(),
      answeredAt: null,
      endedAt: null,
      status: null,
      callerGone: false,
    };
    this.calls.push(call);
    const fault = this.faultFor(call);
    call.fault = fault?.kind ?? null;
    const closed = new Promise<void>((resolve) => {
      res.once('close', () => {
        call.endedAt ??= Date.now();
        if (call.answeredAt === null && fault?.kind !== 'drop') call.callerGone = true;
        resolve();
      });
    });
    const answer = (status: number, body: string, contentType: string): void => {
      if (res.destroyed) return;
      call.answeredAt = Date.now();
      call.status = status;
      res.writeHead(status, { 'content-type': contentType }).end(body);
    };

    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    if (fault?.kind === 'answer') {
      answer(fault.status, fault.body ?? '', fault.contentType ?? 'application/problem+json');
      return;
    }

    let status = 502;
    let body = '';
    let contentType = 'text/plain';
    try {
      const headers: Record<string, string> = {};
      for (const name of ['authorization', 'content-type', 'idempotency-key']) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      // The provider gets the call even when its answer is then held: as on a real network.
      const forwarded = await fetch(`${this.target}${call.path}`, {
        method: call.method,
        headers,
        ...(chunks.length === 0 ? {} : { body: Buffer.concat(chunks) }),
        signal: AbortSignal.timeout(MAX_HOLD_MS),
      });
      status = forwarded.status;
      body = await forwarded.text();
      contentType = forwarded.headers.get('content-type') ?? contentType;
    } catch {
      // payments-api unreachable: a gateway error, which the caller retries.
    }
    if (fault?.kind === 'hold') {
      const left = Math.min(MAX_HOLD_MS, call.startedAt + fault.ms - Date.now());
      let timer: NodeJS.Timeout | undefined;
      let release = (): void => undefined;
      await Promise.race([
        closed,
        new Promise<void>((resolve) => {
          release = resolve;
          this.holds.add(release);
          timer = setTimeout(resolve, Math.max(0, left));
        }),
      ]);
      this.holds.delete(release);
      clearTimeout(timer);
    }
    answer(status, body, contentType);
  }
}
