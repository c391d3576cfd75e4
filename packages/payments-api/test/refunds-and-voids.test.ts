import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chargeBody,
  json,
  startTestApi,
  type PaymentJson,
  type ProblemJson,
  type TestApi,
} from './support/test-api.js';

let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({ PAYMENT_APPROVAL_RATE: '0.5' });
});

afterAll(async () => {
  await api.dispose();
});

async function charge(key: string, paymentToken = 'tok_approve') {
  const response = await api.charge(key, chargeBody({ orderId: key, paymentToken }));
  expect(response.status).toBe(201);
  return json<PaymentJson>(response);
}

function refund(id: string) {
  return api.request(`/payments/${id}/refund`, { method: 'POST' });
}

describe('POST /payments/:id/refund', () => {
  it('refunds a confirmed payment once and answers the same record when repeated', async () => {
    const payment = await charge('refund-1');
    const first = await refund(payment.id);
    expect(first.status).toBe(200);
    const refunded = await json<PaymentJson>(first);
    expect(refunded).toMatchObject({ id: payment.id, status: 'refunded', amount: 1999 });
    expect(refunded.refundedAt).not.toBeNull();
    expect(Date.parse(refunded.updatedAt)).toBeGreaterThanOrEqual(Date.parse(payment.updatedAt));

    const second = await refund(payment.id);
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(refunded);

    const read = await api.request(`/payments/${payment.id}`);
    expect(await read.json()).toEqual(refunded);
  });

  it('refunds once under concurrent requests', async () => {
    const payment = await charge('refund-race');
    const responses = await Promise.all(Array.from({ length: 5 }, () => refund(payment.id)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const bodies = await Promise.all(responses.map((r) => json<PaymentJson>(r)));
    for (const body of bodies) expect(body).toEqual(bodies[0]);
  });

  it('answers 409 for a declined payment and leaves it declined', async () => {
    const payment = await charge('refund-declined', 'tok_decline');
    const response = await refund(payment.id);
    expect(response.status).toBe(409);
    expect(await json<ProblemJson>(response)).toMatchObject({
      type: 'payment-not-refundable',
      status: 409,
    });
    const read = await json<PaymentJson>(await api.request(`/payments/${payment.id}`));
    expect(read.status).toBe('declined');
  });

  it('answers 404 for an unknown or malformed id', async () => {
    for (const id of ['01900000-0000-7000-8000-000000000000', 'nope']) {
      const response = await refund(id);
      expect(response.status).toBe(404);
      expect(await json<ProblemJson>(response)).toMatchObject({ type: 'payment-not-found' });
    }
  });
});

describe('POST /payments/void', () => {
  it('blocks a later charge with the key: the charge answers the voided record', async () => {
    const voided = await api.voidKey('void-first', 'void-first');
    expect(voided.status).toBe(200);
    const record = await json<PaymentJson>(voided);
    expect(record).toMatchObject({
      orderId: 'void-first',
      status: 'voided',
      amount: null,
      currency: null,
      refundedAt: null,
    });

    const late = await api.charge('void-first', chargeBody({ orderId: 'void-first' }));
    expect(late.status).toBe(200);
    expect(await late.json()).toEqual(record);

    const refunded = await refund(record.id);
    expect(refunded.status).toBe(409);
    expect(await json<ProblemJson>(refunded)).toMatchObject({ type: 'payment-not-refundable' });
  });

  it('refunds a confirmed charge', async () => {
    const payment = await charge('void-confirmed');
    const response = await api.voidKey('void-confirmed', 'void-confirmed');
    expect(response.status).toBe(200);
    const refunded = await json<PaymentJson>(response);
    expect(refunded).toMatchObject({ id: payment.id, status: 'refunded', amount: 1999 });
    expect(refunded.refundedAt).not.toBeNull();
    const retry = await api.charge('void-confirmed', chargeBody({ orderId: 'void-confirmed' }));
    expect(retry.status).toBe(200);
    expect(await json<PaymentJson>(retry)).toMatchObject({ status: 'refunded' });
  });

  it('leaves declined, refunded and voided records as they are', async () => {
    const declined = await charge('void-declined', 'tok_decline');
    const afterDecline = await api.voidKey('void-declined', 'void-declined');
    expect(afterDecline.status).toBe(200);
    expect(await afterDecline.json()).toEqual(declined);

    const first = await json<PaymentJson>(await api.voidKey('void-twice', 'void-twice'));
    const second = await api.voidKey('void-twice', 'void-twice');
    expect(second.status).toBe(200);
    expect(await second.json()).toEqual(first);

    await charge('void-refunded');
    const refunded = await json<PaymentJson>(await api.voidKey('void-refunded', 'void-refunded'));
    const again = await api.voidKey('void-refunded', 'void-refunded');
    expect(await again.json()).toEqual(refunded);
  });

  it('answers 409 and changes nothing when the key belongs to another order', async () => {
    const payment = await charge('void-other-order');
    const response = await api.voidKey('void-other-order', 'someone-else');
    expect(response.status).toBe(409);
    expect(await json<ProblemJson>(response)).toMatchObject({ type: 'idempotency-key-reused' });
    const read = await json<PaymentJson>(await api.request(`/payments/${payment.id}`));
    expect(read.status).toBe('confirmed');
  });

  it('never leaves a racing charge captured', async () => {
    for (let round = 0; round < 10; round += 1) {
      const key = `void-race-${round}`;
      const [charged, voided] = await Promise.all([
        api.charge(key, chargeBody({ orderId: key, paymentToken: 'tok_approve' })),
        api.voidKey(key, key),
      ]);
      expect(voided.status).toBe(200);
      expect([200, 201]).toContain(charged.status);
      const chargeAnswer = await json<PaymentJson>(charged);
      const final = await json<PaymentJson>(await api.request(`/payments/${chargeAnswer.id}`));
      expect(['voided', 'refunded']).toContain(final.status);
    }
  });
});
