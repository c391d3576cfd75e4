import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  chargeBody,
  json,
  useTestApis,
  type PaymentJson,
  type ProblemJson,
} from './support/test-api.js';

const apis = useTestApis({ PAYMENT_APPROVAL_RATE: '0.5' });

describe('POST /payments', () => {
  it('confirms tok_approve and declines tok_decline, answering 201 with the record', async () => {
    const api = apis.shared;
    const approved = await api.charge('order-a', chargeBody({ orderId: 'order-a' }));
    expect(approved.status).toBe(201);
    expect(approved.headers.get('idempotent-replayed')).toBeNull();
    const payment = await json<PaymentJson>(approved);
    // A version 7 UUID and ISO 8601 UTC timestamps, as documented.
    expect(payment.id).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(payment.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(payment).toEqual({
      id: payment.id,
      orderId: 'order-a',
      status: 'confirmed',
      amount: 1999,
      currency: 'EUR',
      createdAt: payment.createdAt,
      updatedAt: payment.createdAt,
      refundedAt: null,
    });

    const declined = await api.charge(
      'order-b',
      chargeBody({ orderId: 'order-b', paymentToken: 'tok_decline' }),
    );
    expect(declined.status).toBe(201);
    expect(await json<PaymentJson>(declined)).toMatchObject({ status: 'declined', amount: 1999 });
  });

  it('draws with the approval rate for other tokens', async () => {
    const [never, always] = await Promise.all([
      apis.start({ PAYMENT_APPROVAL_RATE: '0' }),
      apis.start({ PAYMENT_APPROVAL_RATE: '1' }),
    ]);
    for (let i = 0; i < 5; i += 1) {
      const body = chargeBody({ orderId: `o-${i}`, paymentToken: 'tok_visa' });
      expect(await json<PaymentJson>(await never.charge(`k-${i}`, body))).toMatchObject({
        status: 'declined',
      });
      expect(await json<PaymentJson>(await always.charge(`k-${i}`, body))).toMatchObject({
        status: 'confirmed',
      });
    }
  });

  it('never echoes the payment token', async () => {
    const response = await apis.shared.charge(
      'no-echo',
      chargeBody({ paymentToken: 'tok_secret_card_4242' }),
    );
    const text = await response.text();
    expect(text).not.toContain('tok_secret_card_4242');
    expect(text).not.toContain('paymentToken');
  });

  it('answers a repeated key with the stored record, without drawing again', async () => {
    const api = await apis.start({ PAYMENT_APPROVAL_RATE: '0.5' });
    const keys = Array.from({ length: 30 }, (_, i) => `replay-${i}`);
    const statuses = new Set<string>();
    for (const key of keys) {
      const body = chargeBody({ orderId: key, paymentToken: 'tok_random' });
      const first = await api.charge(key, body);
      expect(first.status).toBe(201);
      const original = await json<PaymentJson>(first);
      statuses.add(original.status);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const again = await api.charge(key, body);
        expect(again.status).toBe(200);
        expect(again.headers.get('idempotent-replayed')).toBe('true');
        expect(await json<PaymentJson>(again)).toEqual(original);
      }
    }
    // With rate 0.5 both outcomes show up, so equal answers above are not a coincidence.
    expect([...statuses].sort()).toEqual(['confirmed', 'declined']);

    const rows = await api.stopAndQuery<{ key: string; count: number | string }>(
      sql`select idempotency_key as key, count(*) as count from payments group by 1`,
    );
    expect(rows).toHaveLength(30);
    expect(rows.every((row) => Number(row.count) === 1)).toBe(true);
  });

  it('stores one record for concurrent requests with one key and answers them all alike', async () => {
    const api = await apis.start({ PAYMENT_APPROVAL_RATE: '0.5' });
    const body = chargeBody({ orderId: 'race', paymentToken: 'tok_random' });
    const responses = await Promise.all(
      Array.from({ length: 10 }, () => api.charge('race-key', body)),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const payments = await Promise.all(responses.map((r) => json<PaymentJson>(r)));
    for (const payment of payments) expect(payment).toEqual(payments[0]);

    const rows = await api.stopAndQuery<{ count: number | string }>(
      sql`select count(*) as count from payments where idempotency_key = 'race-key'`,
    );
    expect(Number(rows[0]?.count)).toBe(1);
  });

  it.each([
    ['amount', { amount: 2000 }],
    ['currency', { currency: 'USD' }],
    ['order id', { orderId: 'order-2' }],
    ['payment token', { paymentToken: 'tok_decline' }],
  ])('answers 409 when the key is reused with another %s', async (field, change) => {
    const key = `reused-${field}`;
    expect((await apis.shared.charge(key, chargeBody())).status).toBe(201);
    const response = await apis.shared.charge(key, chargeBody(change));
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await json<ProblemJson>(response)).toMatchObject({
      type: 'idempotency-key-reused',
      status: 409,
    });
  });

  it('waits the configured processing delay before answering', async () => {
    const api = await apis.start({ PAYMENT_LATENCY_MS: '150-150' });
    const started = performance.now();
    const response = await api.charge('slow', chargeBody());
    const elapsed = performance.now() - started;
    expect(response.status).toBe(201);
    expect(elapsed).toBeGreaterThanOrEqual(140);
  });
});

describe('GET /payments/:id', () => {
  it('answers the record, and 404 for an unknown or malformed id', async () => {
    const api = apis.shared;
    const created = await json<PaymentJson>(await api.charge('read-me', chargeBody()));
    const found = await api.request(`/payments/${created.id}`);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual(created);

    for (const id of ['01900000-0000-7000-8000-000000000000', 'not-a-uuid', '1']) {
      const missing = await api.request(`/payments/${id}`);
      expect(missing.status).toBe(404);
      expect(await json<ProblemJson>(missing)).toMatchObject({
        type: 'payment-not-found',
        status: 404,
      });
    }
  });
});
