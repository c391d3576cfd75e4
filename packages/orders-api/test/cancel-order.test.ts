import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertInvariants } from './support/invariants.js';
import {
  CANCEL_ORDER,
  Stack,
  createOrder,
  eventually,
  getOrder,
  type OrderResult,
} from './support/stack.js';

type Cancelled = { cancelOrder: OrderResult };

describe('cancelling while the payment is pending or the order awaits delivery', () => {
  let stack: Stack;
  beforeAll(async () => {
    // Slow payments keep orders CREATED for a while; a long delay keeps CONFIRMED ones waiting.
    stack = await Stack.start({
      payments: { PAYMENT_LATENCY_MS: '800' },
      orders: { DELIVERY_DELAY_SECONDS: '60' },
    });
  });
  afterAll(() => stack.close());
  afterEach(async () => {
    await assertInvariants(stack);
  });

  it('cancels a CREATED order; the confirmation that arrives afterwards never revives it', async () => {
    const order = await createOrder(stack, { paymentToken: 'tok_approve' });
    // Let the payment call reach payments-api, so its answer is on its way while we cancel.
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await stack.gql<Cancelled>(CANCEL_ORDER, {
      id: order.id,
      reason: 'changed my mind',
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.cancelOrder.status).toBe('CANCELLED');
    expect(result.data?.cancelOrder.cancellationReason).toBe('changed my mind');

    // The captured money goes back, and the order stays cancelled.
    const payments = await eventually(
      () => stack.paymentsFor(order.id),
      (p) => p.length === 1 && p[0]?.status === 'refunded',
    );
    expect(payments).toHaveLength(1);
    const after = await getOrder(stack, order.id);
    expect(after?.status).toBe('CANCELLED');
    expect(after?.history.map((h) => h.to)).toEqual(['CREATED', 'CANCELLED']);
  });

  it('records CUSTOMER_REQUEST when no reason is given, and a late decline changes nothing', async () => {
    const order = await createOrder(stack, { paymentToken: 'tok_decline' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const result = await stack.gql<Cancelled>(CANCEL_ORDER, { id: order.id });
    expect(result.data?.cancelOrder.cancellationReason).toBe('CUSTOMER_REQUEST');
    await eventually(
      () => stack.paymentsFor(order.id),
      (p) => p[0]?.status === 'declined',
    );
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await getOrder(stack, order.id);
    expect(after?.cancellationReason).toBe('CUSTOMER_REQUEST');
    expect(after?.history.map((h) => h.to)).toEqual(['CREATED', 'CANCELLED']);
  });

  it('cancels a CONFIRMED order and refunds its payment', async () => {
    const order = await createOrder(stack);
    await eventually(
      () => getOrder(stack, order.id),
      (o) => o?.status === 'CONFIRMED',
    );
    const result = await stack.gql<Cancelled>(CANCEL_ORDER, {
      id: order.id,
      reason: 'out of stock',
    });
    expect(result.data?.cancelOrder.status).toBe('CANCELLED');
    expect(result.data?.cancelOrder.history.map((h) => [h.from, h.to, h.reason])).toEqual([
      [null, 'CREATED', null],
      ['CREATED', 'CONFIRMED', null],
      ['CONFIRMED', 'CANCELLED', 'out of stock'],
    ]);
    const payments = await eventually(
      () => stack.paymentsFor(order.id),
      (p) => p[0]?.status === 'refunded',
    );
    expect(payments).toHaveLength(1);
  });

  it('returns an already cancelled order unchanged', async () => {
    const order = await createOrder(stack);
    const first = await stack.gql<Cancelled>(CANCEL_ORDER, { id: order.id, reason: 'first' });
    const second = await stack.gql<Cancelled>(CANCEL_ORDER, { id: order.id, reason: 'second' });
    expect(second.errors).toBeUndefined();
    expect(second.data?.cancelOrder).toEqual(first.data?.cancelOrder);
    expect(second.data?.cancelOrder.cancellationReason).toBe('first');
  });

  it('leaves no money captured for an order cancelled right after it was created', async () => {
    // Cancelled in the same breath as created: usually before the worker claimed the payment.
    const order = await createOrder(stack);
    await stack.gql<Cancelled>(CANCEL_ORDER, { id: order.id });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const payments = await stack.paymentsFor(order.id);
    // Either no call was made, or the one in flight was voided or refunded: never captured.
    expect(payments.every((p) => p.status === 'voided' || p.status === 'refunded')).toBe(true);
  });

  it('answers NOT_FOUND for an unknown order', async () => {
    const result = await stack.gql<Cancelled>(CANCEL_ORDER, {
      id: '01890000-0000-7000-8000-000000000000',
    });
    expect(result.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});

describe('cancelling a delivered order', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '0' } });
  });
  afterAll(() => stack.close());
  afterEach(async () => {
    await assertInvariants(stack);
  });

  it('is refused with ORDER_NOT_CANCELLABLE and leaves the order as it was', async () => {
    const order = await createOrder(stack);
    const delivered = await eventually(
      () => getOrder(stack, order.id),
      (o) => o?.status === 'DELIVERED',
    );
    const result = await stack.gql<Cancelled>(CANCEL_ORDER, { id: order.id });
    expect(result.status).toBe(200);
    expect(result.data).toBeNull();
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'ORDER_NOT_CANCELLABLE',
      status: 'DELIVERED',
    });
    expect(await getOrder(stack, order.id)).toEqual(delivered);
    expect((await stack.paymentsFor(order.id)).map((p) => p.status)).toEqual(['confirmed']);
  });
});
