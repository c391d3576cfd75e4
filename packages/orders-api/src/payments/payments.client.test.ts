import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PaymentsClient, type ChargeRequest } from './payments.client.js';

const TOKEN = 'unit-test-token';
const TIMEOUT_MS = 300;
const PAYMENT_ID = '0190a5b2-7c1e-7000-8000-000000000001';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How the test server answers the next calls. */
type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const json = (status: number, body: unknown, contentType = 'application/json'): Handler => {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType }).end(JSON.stringify(body));
  };
};
const raw = (status: number, body: string): Handler => {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  };
};

/** A payment record as payments-api answers it (its contract's PaymentSchema). */
const record = (status: string) => ({
  id: PAYMENT_ID,
  orderId: '0190a5b2-7c1e-7000-8000-0000000000aa',
  status,
  amount: 3499,
  currency: 'EUR',
  createdAt: '2025-01-01T10:00:00.000Z',
  updatedAt: '2025-01-01T10:00:01.000Z',
  refundedAt: status === 'refunded' ? '2025-01-01T10:00:01.000Z' : null,
});

const charge: ChargeRequest = {
  orderId: '0190a5b2-7c1e-7000-8000-0000000000aa',
  amount: 3499,
  currency: 'EUR',
  paymentToken: 'tok_approve',
};

describe('PaymentsClient against a real HTTP server', () => {
  let server: Server;
  let baseUrl: string;
  let handler: Handler;
  const received: Received[] = [];
  /** Responses a test left unanswered (a timeout); ended after the test. */
  const held: ServerResponse[] = [];
  const client = () => new PaymentsClient({ baseUrl, token: TOKEN, timeoutMs: TIMEOUT_MS });

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        });
        handler(req, res);
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', resolve);
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The first fetch of a process loads Node's HTTP client; on a loaded machine that alone can
    // outlast TIMEOUT_MS, and the first test would time out for a reason that is not the client's.
    handler = json(200, {});
    await (await fetch(baseUrl)).text();
    received.length = 0;
  });

  afterEach(() => {
    received.length = 0;
    for (const res of held.splice(0)) res.destroy();
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  });

  describe('sends', () => {
    it('a charge as JSON with the bearer token and the order id as Idempotency-Key', async () => {
      handler = json(201, record('confirmed'));
      await client().charge(charge);
      expect(received).toHaveLength(1);
      const [request] = received;
      expect(request?.method).toBe('POST');
      expect(request?.url).toBe('/payments');
      expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request?.headers['idempotency-key']).toBe(charge.orderId);
      expect(request?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request?.body ?? '')).toEqual(charge);
    });

    it("a refund to the payment's own path, under the order's key", async () => {
      handler = json(200, { id: 'pay/1 2', status: 'refunded' });
      await client().refund('pay/1 2', charge.orderId);
      expect(received.map((r) => [r.method, r.url, r.headers['idempotency-key']])).toEqual([
        ['POST', '/payments/pay%2F1%202/refund', charge.orderId],
      ]);
      expect(received[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(JSON.parse(received[0]?.body ?? '')).toEqual({});
    });

    it('a void of the order, under its key', async () => {
      handler = json(200, record('voided'));
      await client().void(charge.orderId);
      expect(received.map((r) => [r.method, r.url, r.headers['idempotency-key']])).toEqual([
        ['POST', '/payments/void', charge.orderId],
      ]);
      expect(received[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(JSON.parse(received[0]?.body ?? '')).toEqual({ orderId: charge.orderId });
    });
  });

  describe('classifies as an answer', () => {
    const answers = [200, 201].flatMap((http) =>
      (['confirmed', 'declined', 'refunded', 'voided'] as const).map(
        (status) => [http, status] as const,
      ),
    );
    it.each(answers)('HTTP %i with a %s payment record', async (http, status) => {
      handler = json(http, record(status));
      expect(await client().charge(charge)).toEqual({
        kind: 'answer',
        status,
        paymentId: PAYMENT_ID,
      });
    });
  });

  describe('classifies as worth a retry', () => {
    it.each([500, 502, 503, 504, 401, 403, 408, 429])('HTTP %i', async (http) => {
      handler = json(http, { type: 'about:blank', status: http });
      expect(await client().charge(charge)).toEqual({ kind: 'retry', reason: `HTTP ${http}` });
    });

    it('a 5xx even when its body looks like a payment', async () => {
      handler = json(503, record('confirmed'));
      expect(await client().charge(charge)).toMatchObject({ kind: 'retry' });
    });

    it('no answer within the timeout', async () => {
      handler = (_req, res) => {
        held.push(res);
      };
      const started = Date.now();
      expect(await client().charge(charge)).toEqual({ kind: 'retry', reason: 'timeout' });
      const waited = Date.now() - started;
      // Stated tolerance: timers fire no earlier than asked; 5 s covers a loaded machine.
      expect(waited).toBeGreaterThanOrEqual(TIMEOUT_MS - 5);
      expect(waited).toBeLessThan(TIMEOUT_MS + 5_000);
    });

    it('a 200 whose body does not finish within the timeout', async () => {
      handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"');
        held.push(res);
      };
      expect(await client().charge(charge)).toMatchObject({ kind: 'retry' });
    });

    it('a refused connection', async () => {
      const closedPort = await portNobodyListensOn();
      const refused = new PaymentsClient({
        baseUrl: `http://127.0.0.1:${closedPort}`,
        token: TOKEN,
        timeoutMs: TIMEOUT_MS,
      });
      expect(await refused.charge(charge)).toEqual({
        kind: 'retry',
        reason: 'network: ECONNREFUSED',
      });
    });

    it('a connection closed without an answer', async () => {
      handler = (req) => {
        req.socket.destroy();
      };
      expect(await client().charge(charge)).toMatchObject({
        kind: 'retry',
        reason: expect.stringMatching(/^network: /) as unknown,
      });
    });

    const unusable: [string, Handler][] = [
      ['a body that is not JSON', raw(200, '<html>gateway</html>')],
      ['an empty body', raw(200, '')],
      ['a 201 with a truncated JSON body', raw(201, '{"id":"x","status":"conf')],
      ['JSON without a status', json(200, { id: PAYMENT_ID })],
      ['JSON without an id', json(200, { status: 'confirmed' })],
      ['JSON with a status it does not know', json(200, { id: PAYMENT_ID, status: 'pending' })],
      ['JSON with an id that is not a string', json(200, { id: 42, status: 'confirmed' })],
      ['JSON with a status that is not a string', json(200, { id: PAYMENT_ID, status: true })],
      ['a JSON array', json(200, [{ id: PAYMENT_ID, status: 'confirmed' }])],
      ['JSON null', json(200, null)],
      ['a JSON string', json(200, 'confirmed')],
      [
        'a payment record with its amount as text',
        json(200, { ...record('confirmed'), amount: '1' }),
      ],
      [
        'a payment record without its timestamps',
        json(200, { id: PAYMENT_ID, status: 'confirmed' }),
      ],
      ['a payment record whose id is not a UUID', json(200, { ...record('confirmed'), id: 'p-1' })],
    ];
    it.each(unusable)('a 2xx with %s', async (_, answer) => {
      handler = answer;
      const result = await client().charge(charge);
      expect(result).toMatchObject({ kind: 'retry' });
    });

    it("names where an answer breaks payments-api's contract", async () => {
      handler = json(201, { ...record('confirmed'), amount: 12.5 });
      expect(await client().charge(charge)).toEqual({
        kind: 'retry',
        reason: 'unexpected answer: /amount must be integer',
      });
    });
  });

  describe('classifies as rejected, with the status', () => {
    it.each([400, 404, 409, 422])('HTTP %i', async (http) => {
      const problem = { type: 'about:blank', title: 'refused', status: http };
      handler = json(http, problem, 'application/problem+json');
      expect(await client().charge(charge)).toEqual({
        kind: 'rejected',
        status: http,
        reason: `HTTP ${http}: ${JSON.stringify(problem)}`,
      });
    });

    it('keeps at most 200 characters of the body in the reason', async () => {
      handler = raw(422, 'x'.repeat(1_000));
      const result = await client().charge(charge);
      expect(result).toEqual({
        kind: 'rejected',
        status: 422,
        reason: `HTTP 422: ${'x'.repeat(200)}`,
      });
    });

    it('a 404 of a refund (the worker then voids instead)', async () => {
      handler = json(404, { type: 'about:blank', status: 404 });
      expect(await client().refund(PAYMENT_ID, charge.orderId)).toMatchObject({
        kind: 'rejected',
        status: 404,
      });
    });
  });
});

/** A loopback port that was free a moment ago and has nothing listening on it now. */
async function portNobodyListensOn(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    probe.close(() => {
      resolve();
    }),
  );
  return port;
}
