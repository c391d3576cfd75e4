import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { trackLeftover } from '../leftovers.js';
import { LOOPBACK } from '../ports.js';

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

/**
 * One call to payments-api, as the relay saw it. A `POST /payments/batch` is recorded as one
 * call per charge in it (its `batch` says where), each with that charge's key and payment and
 * the exchange's own times, fault and status: a test follows an order's charges the same way
 * whether they were sent alone or together.
 */
export interface RelayedCall {
  /** Which caller made it: the name in the URL `urlFor(name)` gave it; null on the plain `url`. */
  caller: string | null;
  method: string;
  /** Path at payments-api, e.g. `/payments`, `/payments/batch` or `/payments/void`. */
  path: string;
  /** The Idempotency-Key header (the order id); for a charge of a batch, its `idempotencyKey`. */
  key: string | null;
  /** For a charge of a batch: its place in the batch and how many the batch carried. */
  batch: { index: number; size: number } | null;
  /** The fault applied to it, or null when it was passed through as is. */
  fault: Fault['kind'] | null;
  /** It was a charge made with the held token, kept waiting for its release. */
  held: boolean;
  /** When the request reached the relay (Date.now()). */
  startedAt: number;
  /** When the relay wrote the answer to the caller; null when it wrote none. */
  answeredAt: number | null;
  /** When the connection for the call closed, however it ended; null while it is in flight. */
  endedAt: number | null;
  /** Status written to the caller; null when none was (dropped, or the caller left first). */
  status: number | null;
  /**
   * The payment record payments-api answered with (its `id` and `status`; for a charge of a
   * batch, that charge's), whether or not the answer then reached the caller: what the provider did.
   */
  payment: { id: string; status: string } | null;
  /** The caller went away before an answer was written (its timeout fired, or it was killed). */
  callerGone: boolean;
}

/** How a relay is set up beyond its target. */
export interface PaymentsRelayOptions {
  /** Port to listen on; a free one by default. A given one brings a closed relay back. */
  port?: number;
  /**
   * Charges paid with `token` never reach payments-api as such: they wait, connection open,
   * until their order is released (`release`, or `releaseHeldCharge` from another process),
   * and then go on paid with `releasedAs`.
   */
  hold?: { token: string; releasedAs: string };
}

interface ChargeRule {
  fault: Fault;
  /** The fault applies to the first `calls` charge calls of each Idempotency-Key. */
  calls: number;
}

/** Upper bound on a held answer, so a mistaken test cannot keep a connection open for long. */
const MAX_HOLD_MS = 10_000;
/** Upper bound on a call to payments-api, for the same reason. */
const FORWARD_TIMEOUT_MS = 30_000;
const FORWARDED_HEADERS = ['authorization', 'content-type', 'idempotency-key'];
const ANSWER_HEADERS = ['content-type', 'idempotent-replayed'];
const BATCH_PATH = '/payments/batch';
const CALLER_PATH = /^\/via\/([^/]+)(\/.*)$/;
const RELEASE_PATH = /^\/__relay\/release\/([^/]+)$/;

/**
 * A loopback HTTP relay between the orders service and payments-api. It records every call (who
 * made it, when it ended, what the provider answered), injects faults into charge calls
 * (`POST /payments` and `POST /payments/batch`), and can keep charges made with one token waiting
 * until a test releases them. Faults count per Idempotency-Key, so a rule set before an order is
 * created applies to that order's own attempts, whichever others they interleave with; a fault
 * hits a batch as a whole (as a network would) when it applies to any charge in it, and a batch
 * with a held charge waits for it. Other calls (voids, refunds) always pass through.
 */
export class PaymentsRelay {
  readonly calls: RelayedCall[] = [];
  private rule: ChargeRule | null = null;
  private readonly chargesByKey = new Map<string, number>();
  /** Orders whose held charges may go on, and the charges waiting for theirs. */
  private readonly released = new Set<string>();
  /** Ends the hold of each answer held now by a `hold` fault. */
  private readonly holds = new Set<() => void>();
  private readonly waiting = new Map<string, Set<() => void>>();
  private untrack: () => void = () => undefined;
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly server: Server,
    private readonly target: string,
    private readonly hold: PaymentsRelayOptions['hold'],
  ) {}

  /** Starts a relay to `target` (payments-api's base URL) on the loopback interface. */
  static async start(target: string, options: PaymentsRelayOptions = {}): Promise<PaymentsRelay> {
    const server = createServer();
    const relay = new PaymentsRelay(server, target.replace(/\/+$/, ''), options.hold);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      // A caller that goes away mid-request ends the request stream with an error: nothing to do.
      relay.handle(req, res).catch(() => {
        res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, LOOPBACK, resolve);
    });
    relay.untrack = trackLeftover({ dispose: () => relay.close() });
    return relay;
  }

  /** The PAYMENTS_URL to give a caller that needs not be told apart. */
  get url(): string {
    return `http://${LOOPBACK}:${(this.server.address() as AddressInfo).port}`;
  }

  /** The PAYMENTS_URL to give the caller called `caller`: its calls are recorded under that name. */
  urlFor(caller: string): string {
    return `${this.url}/via/${encodeURIComponent(caller)}`;
  }

  /**
   * Applies `fault` to the first `calls` charge calls of every Idempotency-Key (Infinity: all
   * of them); later calls pass through. Replaces any earlier rule.
   */
  failCharges(fault: Fault, calls = Number.POSITIVE_INFINITY): void {
    this.rule = { fault, calls };
  }

  /** Passes every charge through from now on. */
  reset(): void {
    this.rule = null;
  }

  /** Answers every call whose answer a `hold` fault is holding, now. */
  releaseHeld(): void {
    for (const release of this.holds) release();
  }

  /** Lets the held charges of order `key` (now and later) go on. */
  release(key: string): void {
    this.released.add(key);
    for (const resume of this.waiting.get(key) ?? []) resume();
    this.waiting.delete(key);
  }

  /** Calls sent but not yet ended for their caller. */
  inFlight(): RelayedCall[] {
    return this.calls.filter((c) => c.endedAt === null);
  }

  /** Charge calls (alone or in a batch), optionally only those of one caller. */
  charges(caller?: string): RelayedCall[] {
    return this.calls.filter(
      (c) => isChargeCall(c) && (caller === undefined || c.caller === caller),
    );
  }

  /** Calls made with Idempotency-Key `key`, optionally only POSTs to `path`. */
  callsFor(key: string, path?: string): RelayedCall[] {
    return this.calls.filter(
      (c) => c.key === key && (path === undefined || (c.method === 'POST' && c.path === path)),
    );
  }

  /** Charge calls (alone or in a batch) for `key`, in arrival order. */
  chargesFor(key: string): RelayedCall[] {
    return this.charges().filter((c) => c.key === key);
  }

  /** Stops listening and drops every connection, held ones included. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.untrack();
      this.server.closeAllConnections();
      this.server.close(() => {
        resolve();
      });
    });
    return this.closing;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const release = RELEASE_PATH.exec(req.url ?? '');
    if (release !== null && req.method === 'POST') {
      this.release(decodeURIComponent(release[1] ?? ''));
      res.writeHead(204).end();
      return;
    }
    const via = CALLER_PATH.exec(req.url ?? '');
    const keyHeader = req.headers['idempotency-key'];
    const call: RelayedCall = {
      caller: via === null ? null : decodeURIComponent(via[1] ?? ''),
      method: req.method ?? 'GET',
      path: via === null ? (req.url ?? '/') : (via[2] ?? '/'),
      key: typeof keyHeader === 'string' ? keyHeader : null,
      batch: null,
      fault: null,
      held: false,
      startedAt: Date.now(),
      answeredAt: null,
      endedAt: null,
      status: null,
      payment: null,
      callerGone: false,
    };
    // A batch's keys are in its body, so it is read before the fault is chosen.
    let body = isBatch(call) ? await readBody(req) : null;
    const items = body === null ? null : batchItems(body);
    const records =
      items === null || items.length === 0
        ? [call]
        : items.map((item, index) => ({
            ...call,
            key: item.key,
            batch: { index, size: items.length },
          }));
    this.calls.push(...records);
    const update = (change: Partial<RelayedCall>) => {
      for (const record of records) Object.assign(record, change);
    };
    const fault = this.faultFor(records);
    update({ fault: fault?.kind ?? null });
    const closed = new Promise<void>((resolve) => {
      res.once('close', () => {
        for (const record of records) {
          record.endedAt ??= Date.now();
          if (record.answeredAt === null && fault?.kind !== 'drop') record.callerGone = true;
        }
        resolve();
      });
    });
    const answer = (status: number, content: Buffer | string, headers: Record<string, string>) => {
      if (res.destroyed) return;
      update({ answeredAt: Date.now(), status });
      res.writeHead(status, headers).end(content);
    };

    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    body ??= await readBody(req);
    if (fault?.kind === 'answer') {
      answer(fault.status, fault.body ?? '', {
        'content-type': fault.contentType ?? 'application/problem+json',
      });
      return;
    }
    if (this.hold !== undefined && isChargeCall(call)) {
      const held = this.heldCharges(records, body);
      if (held.length > 0) {
        for (const record of held) record.held = true;
        const keys = held.flatMap((record) => (record.key === null ? [] : [record.key]));
        if (await this.waitForRelease(keys, closed)) return;
        body = this.releasedBody(body);
      }
    }

    let status = 502;
    let answerBody: Buffer | string = '';
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    try {
      const forwardHeaders: Record<string, string> = {};
      for (const name of FORWARDED_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') forwardHeaders[name] = value;
      }
      // The provider gets the call even when its answer is then held, or its caller has gone:
      // as on a real network.
      const forwarded = await fetch(`${this.target}${call.path}`, {
        method: call.method,
        headers: forwardHeaders,
        ...(body.length === 0 ? {} : { body }),
        signal: AbortSignal.timeout(FORWARD_TIMEOUT_MS),
      });
      status = forwarded.status;
      const received = Buffer.from(await forwarded.arrayBuffer());
      answerBody = received;
      const payments = items === null ? null : batchPayments(received);
      records.forEach((record, index) => {
        record.payment = payments === null ? paymentOf(received) : (payments[index] ?? null);
      });
      for (const name of ANSWER_HEADERS) {
        const value = forwarded.headers.get(name);
        if (value !== null) headers[name] = value;
      }
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
    answer(status, answerBody, headers);
  }

  /** The fault for a charge call: the rule's, while any of its keys is within the rule's count. */
  private faultFor(records: readonly RelayedCall[]): Fault | null {
    let applies = false;
    for (const record of records) {
      if (!isChargeCall(record) || record.key === null) continue;
      const seen = (this.chargesByKey.get(record.key) ?? 0) + 1;
      this.chargesByKey.set(record.key, seen);
      applies ||= this.rule !== null && seen <= this.rule.calls;
    }
    return applies ? (this.rule?.fault ?? null) : null;
  }

  /** The charges of a call that were made with the held token. */
  private heldCharges(records: readonly RelayedCall[], body: Buffer): RelayedCall[] {
    const token = this.hold?.token;
    const items = batchItems(body);
    const held =
      items === null
        ? records.filter(() => chargeBody(body)?.paymentToken === token)
        : records.filter((_, index) => items[index]?.token === token);
    // A charge without a key cannot be released by one: it goes on as it came.
    return held.filter((record) => record.key !== null);
  }

  /** The body with every held token replaced by the one a released charge goes on with. */
  private releasedBody(body: Body): Body {
    const hold = this.hold;
    const parsed = chargeBody(body);
    if (hold === undefined || parsed === null) return body;
    const release = (charge: unknown) =>
      isObject(charge) && charge.paymentToken === hold.token
        ? { ...charge, paymentToken: hold.releasedAs }
        : charge;
    const released = Array.isArray(parsed.items)
      ? { ...parsed, items: parsed.items.map(release) }
      : release(parsed);
    return Buffer.from(JSON.stringify(released));
  }

  /** Resolves false once every key is released, true if the caller hung up first. */
  private async waitForRelease(keys: readonly string[], closed: Promise<void>): Promise<boolean> {
    for (const key of keys) {
      if (await this.waitForOne(key, closed)) return true;
    }
    return false;
  }

  /** Resolves false once `key` is released, true if the caller hung up first. */
  private waitForOne(key: string, closed: Promise<void>): Promise<boolean> {
    if (this.released.has(key)) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiting = this.waiting.get(key) ?? new Set<() => void>();
      this.waiting.set(key, waiting);
      const resume = () => {
        resolve(false);
      };
      waiting.add(resume);
      void closed.then(() => {
        waiting.delete(resume);
        resolve(true);
      });
    });
  }
}

/**
 * Releases order `key`'s held charges at the relay at `relayUrl`, from another process (a
 * browser test's worker, say).
 */
export async function releaseHeldCharge(relayUrl: string, key: string): Promise<void> {
  const response = await fetch(
    `${relayUrl.replace(/\/+$/, '')}/__relay/release/${encodeURIComponent(key)}`,
    { method: 'POST' },
  );
  if (!response.ok) throw new Error(`releasing ${key}: HTTP ${response.status}`);
}

/** A charge call: `POST /payments`, or a charge of a `POST /payments/batch`. */
export function isChargeCall(call: Pick<RelayedCall, 'method' | 'path'>): boolean {
  return call.method === 'POST' && (call.path === '/payments' || call.path === BATCH_PATH);
}

function isBatch(call: Pick<RelayedCall, 'method' | 'path'>): boolean {
  return call.method === 'POST' && call.path === BATCH_PATH;
}

/** A request body as read: a Buffer over a plain ArrayBuffer, which fetch takes as a body. */
type Body = Buffer<ArrayBuffer>;

async function readBody(req: IncomingMessage): Promise<Body> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The key and token of each charge of a batch body; null when it is not a list of items. */
function batchItems(body: Buffer): { key: string | null; token: unknown }[] | null {
  const items = chargeBody(body)?.items;
  if (!Array.isArray(items)) return null;
  return items.map((item: unknown) =>
    isObject(item)
      ? {
          key: typeof item.idempotencyKey === 'string' ? item.idempotencyKey : null,
          token: item.paymentToken,
        }
      : { key: null, token: undefined },
  );
}

/** Each result's payment of a batch answer (null for a refused one); null when it is not one. */
function batchPayments(body: Buffer): ({ id: string; status: string } | null)[] | null {
  const items = chargeBody(body)?.items;
  if (!Array.isArray(items)) return null;
  return items.map((item: unknown) =>
    isObject(item) && isObject(item.payment) ? paymentFields(item.payment) : null,
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A charge's JSON body, when it is one. */
function chargeBody(body: Buffer): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(body.toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function paymentOf(body: Buffer): { id: string; status: string } | null {
  const parsed = chargeBody(body);
  return parsed === null ? null : paymentFields(parsed);
}

function paymentFields(record: Record<string, unknown>): { id: string; status: string } | null {
  return typeof record.id === 'string' && typeof record.status === 'string'
    ? { id: record.id, status: record.status }
    : null;
}
