import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PaymentCallRecord } from '../observability/metrics.js';
import { PaymentsClient, type ChargeRequest, type PaymentCallResult } from './payments.client.js';

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

  describe('chargeMany', () => {
    /** Orders with distinct ids (each its own Idempotency-Key), alternately approved and declined. */
    const orders = (count: number): ChargeRequest[] =>
      Array.from({ length: count }, (_, i) => ({
        ...charge,
        orderId: `0190a5b2-7c1e-7000-8000-${String(i).padStart(12, '0')}`,
        paymentToken: i % 2 === 0 ? 'tok_approve' : 'tok_decline',
      }));
    const paymentId = (i: number) => `0190a5b2-7c1e-7000-9000-${String(i).padStart(12, '0')}`;
    type SentItem = ChargeRequest & { idempotencyKey: string };
    /** The items of the batch the server is answering (the last request it received). */
    const sentItems = (): SentItem[] =>
      (JSON.parse(received.at(-1)?.body ?? '{}') as { items: SentItem[] }).items;
    /** Answers 200 with a result per item, made by `result` from the item sent. */
    const eachItem =
      (result: (item: SentItem, index: number) => unknown): Handler =>
      (req, res) => {
        json(200, { items: sentItems().map(result) })(req, res);
      };
    const created = (item: SentItem, index: number, status = 'confirmed') => ({
      idempotencyKey: item.idempotencyKey,
      outcome: 'created',
      payment: { ...record(status), id: paymentId(index), orderId: item.orderId },
    });
    const refusal = (item: SentItem, status: number, type: string) => ({
      idempotencyKey: item.idempotencyKey,
      outcome: 'refused',
      problem: { type, title: 'refused', status, detail: `${type} for this item` },
    });

    it('sends the orders as one POST /payments/batch, each under its order id as key', async () => {
      const requests = orders(3);
      handler = eachItem((item, i) => created(item, i));
      await client().chargeMany(requests);
      expect(received).toHaveLength(1);
      const [request] = received;
      expect([request?.method, request?.url]).toEqual(['POST', '/payments/batch']);
      expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
      expect(request?.headers['content-type']).toBe('application/json');
      expect(request?.headers['idempotency-key']).toBeUndefined();
      expect(JSON.parse(request?.body ?? '')).toEqual({
        items: requests.map((r) => ({ idempotencyKey: r.orderId, ...r })),
      });
    });

    it('splits above the batch size and keeps each result with its order', async () => {
      const requests = orders(5);
      handler = eachItem((item) =>
        created(
          item,
          Number(item.orderId.slice(-12)),
          item.paymentToken === 'tok_approve' ? 'confirmed' : 'declined',
        ),
      );
      const small = new PaymentsClient({
        baseUrl,
        token: TOKEN,
        timeoutMs: TIMEOUT_MS,
        batchSize: 2,
      });
      const results = await small.chargeMany(requests);
      const sizes = received.map((r) => (JSON.parse(r.body) as { items: unknown[] }).items.length);
      expect(sizes.sort()).toEqual([1, 2, 2]);
      expect(results).toEqual(
        requests.map((r, i) => ({
          kind: 'answer',
          status: i % 2 === 0 ? 'confirmed' : 'declined',
          paymentId: paymentId(i),
        })),
      );
    });

    it('sends nothing when there is nothing to pay', async () => {
      expect(await client().chargeMany([])).toEqual([]);
      expect(received).toHaveLength(0);
    });

    it('maps each item as charge maps a whole answer: payments, refusals, retries', async () => {
      handler = eachItem((item, i) => {
        switch (i) {
          case 0:
            return created(item, i);
          case 1:
            return { ...created(item, i, 'declined'), outcome: 'replayed' };
          case 2:
            return { ...created(item, i, 'voided'), outcome: 'replayed' };
          case 3:
            return refusal(item, 409, 'idempotency-key-reused');
          case 4:
            return refusal(item, 400, 'validation-failed');
          default:
            return refusal(item, 503, 'unavailable');
        }
      });
      const results = await client().chargeMany(orders(6));
      const problem = (status: number, type: string) =>
        JSON.stringify({ type, title: 'refused', status, detail: `${type} for this item` });
      expect(results).toEqual([
        { kind: 'answer', status: 'confirmed', paymentId: paymentId(0) },
        { kind: 'answer', status: 'declined', paymentId: paymentId(1) },
        { kind: 'answer', status: 'voided', paymentId: paymentId(2) },
        {
          kind: 'rejected',
          status: 409,
          reason: `HTTP 409: ${problem(409, 'idempotency-key-reused')}`,
        },
        { kind: 'rejected', status: 400, reason: `HTTP 400: ${problem(400, 'validation-failed')}` },
        { kind: 'retry', reason: 'HTTP 503' },
      ]);
    });

    /** chargeMany of three orders, expecting every one to get `expected`. */
    async function expectEveryOrder(expected: PaymentCallResult | { kind: 'retry' }) {
      const results = await client().chargeMany(orders(3));
      expect(results).toHaveLength(3);
      for (const result of results) expect(result).toMatchObject(expected);
      // The same reason for each: one failure of one call.
      expect(new Set(results.map((r) => JSON.stringify(r))).size).toBe(1);
    }

    it.each([500, 502, 503, 504, 401, 403, 408, 429])(
      'retries every order when the batch is answered HTTP %i',
      async (http) => {
        handler = json(http, { type: 'about:blank', status: http });
        await expectEveryOrder({ kind: 'retry', reason: `HTTP ${http}` });
      },
    );

    // Refused as a whole, a batch says nothing about its orders (a payments-api without the route
    // answers 404): each is retried, and given up on after the attempts like any failing call.
    it.each([400, 404, 413, 415])(
      'retries every order when the batch as a whole is refused with HTTP %i',
      async (http) => {
        handler = json(http, { type: 'about:blank', status: http }, 'application/problem+json');
        await expectEveryOrder({ kind: 'retry', reason: `HTTP ${http}` });
      },
    );

    it('retries every order when no answer comes within the timeout', async () => {
      handler = (_req, res) => {
        held.push(res);
      };
      await expectEveryOrder({ kind: 'retry', reason: 'timeout' });
    });

    it('retries every order after a connection closed without an answer', async () => {
      handler = (req) => {
        req.socket.destroy();
      };
      await expectEveryOrder({ kind: 'retry' });
    });

    const unusableAnswers: [string, Handler][] = [
      ['a body that is not JSON', raw(200, '<html>gateway</html>')],
      ['a truncated JSON body', raw(200, '{"items":[{"idem')],
      ['JSON null', json(200, null)],
      ['a single payment record', json(200, record('confirmed'))],
      ['items that are not a list', json(200, { items: {} })],
      [
        'fewer results than orders',
        (req, res) => {
          json(200, {
            items: sentItems()
              .slice(1)
              .map((item, i) => created(item, i)),
          })(req, res);
        },
      ],
      [
        'a result whose payment breaks the contract',
        eachItem((item, i) => ({
          ...created(item, i),
          payment: { ...record('confirmed'), amount: '1' },
        })),
      ],
      [
        'a result with an unknown outcome',
        eachItem((item, i) => ({ ...created(item, i), outcome: 'pending' })),
      ],
      [
        'a refusal without its problem',
        eachItem((item) => ({ idempotencyKey: item.idempotencyKey, outcome: 'refused' })),
      ],
      [
        'a result under another key',
        eachItem((item, i) => ({
          ...created(item, i),
          idempotencyKey: i === 1 ? 'other' : item.idempotencyKey,
        })),
      ],
      ['a refusal whose problem says success', eachItem((item) => refusal(item, 200, 'ok'))],
    ];
    it.each(unusableAnswers)('retries every order after a 200 with %s', async (_, answer) => {
      handler = answer;
      await expectEveryOrder({ kind: 'retry' });
    });

    it("names where a batch answer breaks payments-api's contract, or what does not match", async () => {
      handler = eachItem((item, i) => ({
        ...created(item, i),
        payment: { ...record('confirmed'), amount: 12.5 },
      }));
      const [first] = await client().chargeMany(orders(2));
      expect(first).toEqual({
        kind: 'retry',
        reason: expect.stringMatching(/^unexpected answer: \/items\/0\/payment/) as unknown,
      });
      handler = eachItem((item, i) => ({ ...created(item, i), idempotencyKey: `k-${i}` }));
      expect((await client().chargeMany(orders(2)))[0]).toEqual({
        kind: 'retry',
        reason: 'unexpected answer: /items/0/idempotencyKey is not the key sent',
      });
    });

    it('makes one client span per call and tells onCall each order, with the call duration', async () => {
      const exporter = new InMemorySpanExporter();
      const provider = new TracerProvider({
        spanProcessors: [new SimpleSpanProcessor({ exporter })],
      });
      const calls: PaymentCallRecord[] = [];
      const traced = new PaymentsClient({
        baseUrl,
        token: TOKEN,
        timeoutMs: TIMEOUT_MS,
        batchSize: 3,
        tracer: provider.getTracer('test'),
        onCall: (record) => calls.push(record),
      });
      handler = eachItem((item, i) =>
        i === 1 ? refusal(item, 409, 'idempotency-key-reused') : created(item, i),
      );
      await traced.chargeMany(orders(4));
      const spans = exporter.getFinishedSpans();
      expect(spans.map((s) => s.name)).toEqual(['POST /payments/batch', 'POST /payments/batch']);
      expect(spans.map((s) => s.attributes['payment.batch.size']).sort()).toEqual([1, 3]);
      for (const span of spans) {
        expect(span.attributes).toMatchObject({
          'payment.call': 'charge',
          'payment.outcome': 'answered',
        });
        expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
      }
      expect(calls.map((c) => [c.call, c.outcome]).sort()).toEqual(
        [
          ['charge', 'confirmed'],
          ['charge', 'confirmed'],
          ['charge', 'confirmed'],
          ['charge', 'http_409'],
        ].sort(),
      );
      // The three orders of one call share its duration; the call of one order has its own.
      expect(new Set(calls.map((c) => c.seconds)).size).toBe(2);

      exporter.reset();
      calls.length = 0;
      handler = json(503, { type: 'about:blank', status: 503 });
      await traced.chargeMany(orders(2));
      const [failed] = exporter.getFinishedSpans();
      expect(failed?.attributes['payment.outcome']).toBe('http_503');
      expect(failed?.status.code).toBe(SpanStatusCode.ERROR);
      expect(calls.map((c) => c.outcome)).toEqual(['http_503', 'http_503']);
      await provider.shutdown();
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
