import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A payment token payments-api never sees: the gate holds such a charge until a test releases
 * it. An order paid with it stays CREATED, cancellable, for as long as a test needs, instead of
 * for the few hundred milliseconds a real payment takes; that is what makes cancel tests exact.
 */
export const HELD_PAYMENT_TOKEN = 'tok_e2e_hold';

/** What a held charge is paid with once released. */
const RELEASED_PAYMENT_TOKEN = 'tok_approve';

const RELEASE_PATH = /^\/__e2e\/release\/([^/]+)$/;

/**
 * A loopback relay between orders-api and payments-api. Every call passes through untouched,
 * except charges made with {@link HELD_PAYMENT_TOKEN}: those wait, connection open, until
 * `POST /__e2e/release/<order id>`, and then go on as `tok_approve`.
 */
export class PaymentsGate {
  /** Orders whose held charges may go on. */
  private readonly released = new Set<string>();
  /** Charges waiting for their order's release, by order id. */
  private readonly waiting = new Map<string, Set<() => void>>();

  private constructor(
    private readonly server: Server,
    private readonly target: string,
  ) {}

  /** Starts the gate in front of `target` (payments-api's base URL) on a free loopback port. */
  static async start(target: string): Promise<PaymentsGate> {
    const server = createServer();
    const gate = new PaymentsGate(server, target.replace(/\/+$/, ''));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      gate.handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    return gate;
  }

  /** The PAYMENTS_URL to give orders-api. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Stops listening and drops every connection, held charges included. */
  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    const release = RELEASE_PATH.exec(path);
    if (release !== null && req.method === 'POST') {
      this.release(decodeURIComponent(release[1] ?? ''));
      res.writeHead(204).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    const charge = req.method === 'POST' && path === '/payments' ? heldChargeOf(body) : null;
    if (charge !== null) {
      const gone = await this.waitForRelease(charge.orderId, res);
      if (gone) return;
      body = Buffer.from(JSON.stringify({ ...charge.body, paymentToken: RELEASED_PAYMENT_TOKEN }));
    }
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type', 'idempotency-key']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await fetch(`${this.target}${path}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body.length === 0 ? {} : { body }),
    });
    const answerBody = Buffer.from(await answer.arrayBuffer());
    if (res.destroyed) return;
    const answerHeaders: Record<string, string> = {};
    for (const name of ['content-type', 'idempotent-replayed']) {
      const value = answer.headers.get(name);
      if (value !== null) answerHeaders[name] = value;
    }
    res.writeHead(answer.status, answerHeaders).end(answerBody);
  }

  private release(orderId: string): void {
    this.released.add(orderId);
    for (const resume of this.waiting.get(orderId) ?? []) resume();
    this.waiting.delete(orderId);
  }

  /** Resolves false once the order is released, true if the caller hung up first. */
  private waitForRelease(orderId: string, res: ServerResponse): Promise<boolean> {
    if (this.released.has(orderId)) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const waiting = this.waiting.get(orderId) ?? new Set<() => void>();
      this.waiting.set(orderId, waiting);
      const resume = () => {
        resolve(false);
      };
      waiting.add(resume);
      res.once('close', () => {
        waiting.delete(resume);
        resolve(true);
      });
    });
  }
}

/** The charge's order id and body when it was made with the held token, else null. */
function heldChargeOf(body: Buffer): { orderId: string; body: Record<string, unknown> } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return null;
  const record = parsed as Record<string, unknown>;
  if (record.paymentToken !== HELD_PAYMENT_TOKEN || typeof record.orderId !== 'string') return null;
  return { orderId: record.orderId, body: record };
}
