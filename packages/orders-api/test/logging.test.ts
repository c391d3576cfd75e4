import { Writable } from 'node:stream';
import { createLogger as createPaymentsLogger } from '@oms/payments-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/observability/logger.js';
import {
  CANCEL_ORDER,
  CREATE_ORDER,
  Stack,
  TEST_PAYMENTS_TOKEN,
  eventually,
  getOrder,
  orderInput,
  type OrderResult,
} from './support/stack.js';
import { WebhookReceiver } from './support/webhook-receiver.js';
import { ROTATE_SECRET, createEndpoint } from './support/webhooks.js';

const PAYMENT_TOKEN = 'tok_secret_never_logged_5150';
const CLIENT_BEARER = 'client-bearer-never-logged-8086';
const WRONG_SERVICE_TOKEN = 'wrong-service-token-never-logged-6502';
const SECRETS = [PAYMENT_TOKEN, CLIENT_BEARER, TEST_PAYMENTS_TOKEN, WRONG_SERVICE_TOKEN];
const TRACE_ID = /^[0-9a-f]{32}$/;

type Line = Record<string, unknown>;

function sink() {
  const text: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text.push(chunk.toString());
      done();
    },
  });
  const lines = (): Line[] =>
    text
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Line);
  return { stream, text, lines };
}

describe('log lines of both services', () => {
  const orders = sink();
  const payments = sink();
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({
      ordersLog: createLogger('trace', 'orders-api', orders.stream),
      paymentsLog: createPaymentsLogger({ logLevel: 'trace' }, payments.stream),
      payments: { PAYMENT_APPROVAL_RATE: '1' },
      orders: { PAYMENT_MAX_ATTEMPTS: '1' },
    });
  });
  afterAll(() => stack.close());

  const create = async (requestId: string, input: Record<string, unknown>) => {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${CLIENT_BEARER}`,
        'x-request-id': requestId,
      },
      body: JSON.stringify({ query: CREATE_ORDER, variables: { input: orderInput(input) } }),
    });
    const body = (await response.json()) as { data?: { createOrder: OrderResult } | null };
    return { requestId: response.headers.get('x-request-id'), order: body.data?.createOrder };
  };

  it('carry request and trace ids, and never a credential or token', async () => {
    const paid = await create('req-paid-0001', { paymentToken: PAYMENT_TOKEN });
    expect(paid.requestId).toBe('req-paid-0001');
    const refused = await create('req-bad-input', {
      paymentToken: PAYMENT_TOKEN,
      items: [{ sku: 'S', name: 'N', quantity: 1, unitPrice: -1 }],
    });
    expect(refused.order).toBeUndefined();
    // The paid order is paid before another order exists: with two orders waiting, the worker
    // may charge both in one batch call, whose trace is the batch's, and payments-api would then
    // never see this order's trace.
    const paidId = paid.order?.id ?? '';
    await eventually(
      () => getOrder(stack, paidId),
      (o) => o?.status !== 'CREATED',
    );
    // An id that could disturb a log line or a header is replaced by one of the service's own.
    const replaced = await create(`bad id ${'y'.repeat(200)}`, { paymentToken: PAYMENT_TOKEN });
    expect(replaced.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const cancel = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${CLIENT_BEARER}` },
      body: JSON.stringify({ query: CANCEL_ORDER, variables: { id: paidId } }),
    });
    expect(cancel.status).toBe(200);
    const wrong = await fetch(`${stack.payments.url}/payments?orderId=${paidId}`, {
      headers: { authorization: `Bearer ${WRONG_SERVICE_TOKEN}` },
    });
    expect(wrong.status).toBe(401);
    await eventually(
      () => Promise.resolve(payments.lines()),
      (lines) => lines.some((l) => l.msg === 'request completed' && l.res !== undefined),
    );

    const output = orders.text.join('') + payments.text.join('');
    for (const secret of SECRETS) expect(output).not.toContain(secret);

    // Every line about a request says which request and which trace.
    const ordersRequests = orders.lines().filter((l) => l.msg === 'request completed');
    expect(ordersRequests.length).toBeGreaterThanOrEqual(5);
    for (const line of ordersRequests) {
      expect(line.requestId).toEqual(expect.any(String));
      expect(line.traceId).toMatch(TRACE_ID);
    }
    const paymentsRequests = payments.lines().filter((l) => l.requestId !== undefined);
    expect(paymentsRequests.length).toBeGreaterThanOrEqual(4);
    for (const line of paymentsRequests) expect(line.traceId).toMatch(TRACE_ID);

    // The worker's lines about an order carry the trace of the request that created it, and so
    // do payments-api's lines about its payment call.
    const createdBy = ordersRequests.find((l) => l.requestId === 'req-paid-0001');
    const traceId = createdBy?.traceId;
    expect(traceId).toMatch(TRACE_ID);
    const workerLine = orders
      .lines()
      .find((l) => l.msg === 'payments-api answered' && l.orderId === paidId);
    expect(workerLine).toMatchObject({ component: 'worker', outcome: 'confirmed' });
    expect(workerLine?.traceId).toBe(traceId);
    expect(paymentsRequests.some((l) => l.traceId === traceId)).toBe(true);
  });

  it('never carry a webhook secret, whether made, rotated or signing failed requests', async () => {
    const receiver = await WebhookReceiver.start();
    receiver.answer = () => 500;
    try {
      const gql = <T>(query: string, variables: Record<string, unknown> = {}) =>
        stack.gql<T>(query, variables);
      const { secret, endpoint } = await createEndpoint(gql, {
        url: receiver.url,
        events: ['CREATED'],
      });
      const rotated = await gql<{ rotateWebhookSecret: { secret: string } }>(ROTATE_SECRET, {
        id: endpoint.id,
      });
      const fresh = rotated.data?.rotateWebhookSecret.secret ?? '';
      expect(fresh).toMatch(/^whsec_/);
      await create('req-webhook-01', { paymentToken: 'tok_approve' });
      await eventually(
        () => Promise.resolve(orders.lines()),
        (lines) => lines.some((l) => l.msg === 'webhook attempt failed'),
      );
      const output = orders.text.join('');
      expect(output).toContain(endpoint.id);
      for (const value of [secret, fresh, secret.slice(6), fresh.slice(6)]) {
        expect(output).not.toContain(value);
      }
      await gql(`mutation($id: ID!) { deleteWebhookEndpoint(id: $id) }`, { id: endpoint.id });
    } finally {
      await receiver.close();
    }
  });
});
