import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { disposeLeftovers, leftoverCount } from '../leftovers.js';
import { PaymentsRelay, releaseHeldCharge } from './payments-relay.js';

/** What the provider behind the relay received. */
interface Received {
  method: string;
  path: string;
  key: string | undefined;
  body: string;
}

/**
 * A stand-in for payments-api (the relay is what is tested here): it records each request and
 * answers a charge with a payment record, confirmed unless the token says `tok_decline`.
 */
async function provider(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  let next = 0;
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const key = req.headers['idempotency-key'];
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        key: typeof key === 'string' ? key : undefined,
        body,
      });
      if (req.method === 'POST' && req.url === '/payments/batch') {
        const { items } = JSON.parse(body) as {
          items: { idempotencyKey: string; paymentToken: string }[];
        };
        const results = items.map((item) => {
          next += 1;
          const status = item.paymentToken === 'tok_decline' ? 'declined' : 'confirmed';
          return {
            idempotencyKey: item.idempotencyKey,
            outcome: 'created',
            payment: { id: `pay_${next}`, status },
          };
        });
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ items: results }));
        return;
      }
      if (req.method === 'POST' && req.url === '/payments') {
        const { paymentToken } = JSON.parse(body) as { paymentToken?: string };
        next += 1;
        res
          .writeHead(201, { 'content-type': 'application/json', 'idempotent-replayed': 'false' })
          .end(
            JSON.stringify({
              id: `pay_${next}`,
              status: paymentToken === 'tok_decline' ? 'declined' : 'confirmed',
            }),
          );
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
  };
}

function charge(
  base: string,
  key: string,
  token = 'tok_approve',
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${base}/payments`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': key,
      authorization: 'Bearer t',
    },
    body: JSON.stringify({ orderId: key, amount: 100, paymentToken: token }),
    ...(signal === undefined ? {} : { signal }),
  });
}

function chargeBatch(
  base: string,
  charges: { key: string; token?: string }[],
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${base}/payments/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
    body: JSON.stringify({
      items: charges.map(({ key, token = 'tok_approve' }) => ({
        idempotencyKey: key,
        orderId: key,
        amount: 100,
        paymentToken: token,
      })),
    }),
    ...(signal === undefined ? {} : { signal }),
  });
}

async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('payments relay', () => {
  let upstream: Awaited<ReturnType<typeof provider>>;
  beforeAll(async () => {
    upstream = await provider();
  });
  afterEach(async () => {
    await disposeLeftovers();
    upstream.received.length = 0;
  });
  afterAll(async () => {
    await new Promise((resolve) => upstream.server.close(resolve));
  });

  it('passes calls through, recording who made each and what the provider answered', async () => {
    const relay = await PaymentsRelay.start(upstream.url);
    const answer = await charge(relay.urlFor('first'), 'order-1');
    expect(answer.status).toBe(201);
    expect(answer.headers.get('idempotent-replayed')).toBe('false');
    expect(await answer.json()).toEqual({ id: 'pay_1', status: 'confirmed' });
    await fetch(`${relay.url}/payments/void`, {
      method: 'POST',
      headers: { 'idempotency-key': 'order-1' },
    });

    expect(upstream.received.map((r) => [r.method, r.path, r.key])).toEqual([
      ['POST', '/payments', 'order-1'],
      ['POST', '/payments/void', 'order-1'],
    ]);
    await until(() => relay.inFlight().length === 0);
    expect(relay.charges('first')).toHaveLength(1);
    expect(relay.charges('second')).toHaveLength(0);
    expect(relay.callsFor('order-1', '/payments/void').map((c) => c.caller)).toEqual([null]);
    expect(relay.chargesFor('order-1')[0]).toMatchObject({
      caller: 'first',
      path: '/payments',
      fault: null,
      status: 201,
      payment: { id: 'pay_1', status: 'confirmed' },
      callerGone: false,
    });
  });

  it('answers the first charges of each order itself, as told, and passes later ones', async () => {
    const relay = await PaymentsRelay.start(upstream.url);
    relay.failCharges({ kind: 'answer', status: 503, body: '{"title":"down"}' }, 2);
    const statuses: number[] = [];
    for (const key of ['a', 'b', 'a', 'a']) statuses.push((await charge(relay.url, key)).status);
    expect(statuses).toEqual([503, 503, 503, 201]);
    expect(relay.chargesFor('a').map((c) => [c.fault, c.status])).toEqual([
      ['answer', 503],
      ['answer', 503],
      [null, 201],
    ]);
    // Only the charge that passed reached the provider.
    expect(upstream.received.map((r) => r.key)).toEqual(['a']);

    relay.reset();
    expect((await charge(relay.url, 'b')).status).toBe(201);
  });

  it('drops a charge without a byte of answer', async () => {
    const relay = await PaymentsRelay.start(upstream.url);
    relay.failCharges({ kind: 'drop' });
    await expect(charge(relay.url, 'dropped')).rejects.toThrow();
    await until(() => relay.inFlight().length === 0);
    expect(relay.chargesFor('dropped')).toMatchObject([
      { fault: 'drop', status: null, callerGone: false },
    ]);
    expect(upstream.received).toEqual([]);
  });

  it('holds an answer the provider gave until the caller gives up: a lost answer', async () => {
    const relay = await PaymentsRelay.start(upstream.url);
    relay.failCharges({ kind: 'hold', ms: 5_000 }, 1);
    await expect(
      charge(relay.url, 'late', 'tok_approve', AbortSignal.timeout(300)),
    ).rejects.toThrow();
    await until(() => relay.inFlight().length === 0);
    expect(relay.chargesFor('late')).toMatchObject([
      { fault: 'hold', status: null, callerGone: true, payment: { status: 'confirmed' } },
    ]);
    // The provider did act on it.
    expect(upstream.received).toHaveLength(1);
  });

  it('keeps a charge with the held token waiting until it is released, then pays it', async () => {
    const relay = await PaymentsRelay.start(upstream.url, {
      hold: { token: 'tok_hold', releasedAs: 'tok_approve' },
    });
    const answer = charge(relay.url, 'held', 'tok_hold');
    await until(() => relay.inFlight().length === 1);
    expect(upstream.received).toEqual([]);
    // Another order's charge is not held up by it.
    expect((await charge(relay.url, 'other')).status).toBe(201);

    await releaseHeldCharge(relay.url, 'held');
    const released = await answer;
    expect(await released.json()).toMatchObject({ status: 'confirmed' });
    const forwarded = upstream.received.find((r) => r.key === 'held');
    expect(JSON.parse(forwarded?.body ?? '{}')).toMatchObject({
      orderId: 'held',
      paymentToken: 'tok_approve',
    });
    expect(relay.chargesFor('held')).toMatchObject([{ held: true, status: 201 }]);
    // Once released, an order's later held charges go straight on.
    expect((await charge(relay.url, 'held', 'tok_hold')).status).toBe(201);
  });

  it('never passes on a held charge whose caller left', async () => {
    const relay = await PaymentsRelay.start(upstream.url, {
      hold: { token: 'tok_hold', releasedAs: 'tok_approve' },
    });
    const controller = new AbortController();
    const answer = charge(relay.url, 'abandoned', 'tok_hold', controller.signal);
    await until(() => relay.inFlight().length === 1);
    controller.abort();
    await expect(answer).rejects.toThrow();
    await until(() => relay.inFlight().length === 0);
    relay.release('abandoned');
    expect(relay.chargesFor('abandoned')).toMatchObject([{ held: true, callerGone: true }]);
    expect(upstream.received).toEqual([]);
  });

  it('records each charge of a batch as a call of its own, with its payment', async () => {
    const relay = await PaymentsRelay.start(upstream.url);
    const answer = await chargeBatch(relay.urlFor('worker'), [
      { key: 'batch-1' },
      { key: 'batch-2', token: 'tok_decline' },
    ]);
    expect(answer.status).toBe(200);
    expect(upstream.received.map((r) => r.path)).toEqual(['/payments/batch']);
    expect(relay.charges('worker').map((c) => [c.key, c.batch, c.payment?.status])).toEqual([
      ['batch-1', { index: 0, size: 2 }, 'confirmed'],
      ['batch-2', { index: 1, size: 2 }, 'declined'],
    ]);
    expect(relay.chargesFor('batch-2')).toMatchObject([
      { path: '/payments/batch', status: 200, fault: null, callerGone: false },
    ]);
    // One exchange: its charges share its times.
    const [first, second] = relay.charges();
    expect([second?.startedAt, second?.endedAt]).toEqual([first?.startedAt, first?.endedAt]);
  });

  it('fails a whole batch while any of its keys is within the fault rule, counting per key', async () => {
    const relay = await PaymentsRelay.start(upstream.url);
    relay.failCharges({ kind: 'answer', status: 503 }, 1);
    expect((await charge(relay.url, 'seen-before')).status).toBe(503);
    // seen-before is past its one failure, fresh is not: the batch fails as a whole.
    const failed = await chargeBatch(relay.url, [{ key: 'seen-before' }, { key: 'fresh' }]);
    expect(failed.status).toBe(503);
    expect((await chargeBatch(relay.url, [{ key: 'seen-before' }, { key: 'fresh' }])).status).toBe(
      200,
    );
    expect(relay.chargesFor('fresh').map((c) => [c.fault, c.status])).toEqual([
      ['answer', 503],
      [null, 200],
    ]);
    expect(upstream.received).toHaveLength(1);
  });

  it('keeps a batch with a held charge waiting until it is released, then pays it', async () => {
    const relay = await PaymentsRelay.start(upstream.url, {
      hold: { token: 'tok_hold', releasedAs: 'tok_approve' },
    });
    const answer = chargeBatch(relay.url, [
      { key: 'plain' },
      { key: 'held-in-batch', token: 'tok_hold' },
    ]);
    await until(() => relay.inFlight().length === 2);
    expect(upstream.received).toEqual([]);
    await releaseHeldCharge(relay.url, 'held-in-batch');
    expect((await answer).status).toBe(200);
    const forwarded = JSON.parse(upstream.received[0]?.body ?? '{}') as {
      items: { paymentToken: string }[];
    };
    expect(forwarded.items.map((i) => i.paymentToken)).toEqual(['tok_approve', 'tok_approve']);
    expect(relay.charges().map((c) => [c.key, c.held, c.payment?.status])).toEqual([
      ['plain', false, 'confirmed'],
      ['held-in-batch', true, 'confirmed'],
    ]);
  });

  it('answers 502 when the provider is down, and comes back on the same port', async () => {
    const relay = await PaymentsRelay.start('http://127.0.0.1:1');
    expect((await charge(relay.url, 'x')).status).toBe(502);
    const { url } = relay;
    await relay.close();
    await relay.close();
    expect(leftoverCount()).toBe(0);
    const port = Number(new URL(url).port);
    const again = await PaymentsRelay.start(upstream.url, { port });
    expect(again.url).toBe(url);
    expect((await charge(again.url, 'x')).status).toBe(201);
  });
});
