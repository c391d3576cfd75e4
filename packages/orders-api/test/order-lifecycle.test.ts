import { isValidPath, type OrderStatus } from '@oms/order-lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ORDER_FIELDS,
  Stack,
  createOrder,
  eventually,
  getOrder,
  type OrderResult,
} from './support/stack.js';

type Updated = { orderUpdated: OrderResult };
const ALL_ORDERS = `subscription { orderUpdated { ${ORDER_FIELDS} } }`;
const ONE_ORDER = `subscription One($id: ID) { orderUpdated(id: $id) { ${ORDER_FIELDS} } }`;

const statusesOf = (events: Updated[], id: string): string[] =>
  events.filter((e) => e.orderUpdated.id === id).map((e) => e.orderUpdated.status);

describe('order lifecycle over GraphQL', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '1' } });
  });
  afterAll(() => stack.close());

  it('creates an order that is paid, confirmed and delivered, seen live by a subscriber', async () => {
    const sub = stack.subscribe<Updated>(ALL_ORDERS);
    // The subscription is live once it sees an order created after it started.
    const probe = await createOrder(stack, { paymentToken: 'tok_decline' });
    await sub.waitFor((events) => statusesOf(events, probe.id).length > 0);

    const created = await createOrder(stack);
    expect(created.status).toBe('CREATED');
    expect(created.total).toBe(2 * 1250 + 999);
    expect(created.currency).toBe('EUR');
    expect(created.history).toEqual([
      { from: null, to: 'CREATED', at: created.createdAt, reason: null },
    ]);

    const events = await sub.waitFor((e) => statusesOf(e, created.id).includes('DELIVERED'));
    // One event per transition, in order, each showing the order as of that transition.
    expect(statusesOf(events, created.id)).toEqual(['CREATED', 'CONFIRMED', 'DELIVERED']);
    const mine = events.filter((e) => e.orderUpdated.id === created.id).map((e) => e.orderUpdated);
    expect(mine.map((o) => o.history.length)).toEqual([1, 2, 3]);
    expect(mine[1]?.items).toEqual(created.items);

    const final = await getOrder(stack, created.id);
    expect(final?.status).toBe('DELIVERED');
    expect(final?.history.map((h) => h.to)).toEqual(['CREATED', 'CONFIRMED', 'DELIVERED']);
    expect(isValidPath(final?.history.map((h) => h.to as OrderStatus) ?? [])).toBe(true);
    expect(sub.errors).toEqual([]);
    sub.stop();
  });

  it('delivers a confirmed order after the configured delay, not before', async () => {
    const order = await createOrder(stack);
    const delivered = await eventually(
      () => getOrder(stack, order.id),
      (o) => o?.status === 'DELIVERED',
    );
    const confirmedAt = Date.parse(delivered?.history[1]?.at ?? '');
    const deliveredAt = Date.parse(delivered?.history[2]?.at ?? '');
    expect(deliveredAt - confirmedAt).toBeGreaterThanOrEqual(1_000);
    // Stated tolerance: the worker wakes for the due time; 1.5 s covers a loaded CI machine.
    expect(deliveredAt - confirmedAt).toBeLessThan(2_500);
  });

  it('cancels an order whose payment is declined, and never delivers it', async () => {
    const order = await createOrder(stack, { paymentToken: 'tok_decline' });
    const cancelled = await eventually(
      () => getOrder(stack, order.id),
      (o) => o?.status === 'CANCELLED',
    );
    expect(cancelled?.cancellationReason).toBe('PAYMENT_DECLINED');
    expect(cancelled?.history.map((h) => [h.from, h.to, h.reason])).toEqual([
      [null, 'CREATED', null],
      ['CREATED', 'CANCELLED', 'PAYMENT_DECLINED'],
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await getOrder(stack, order.id))?.status).toBe('CANCELLED');
    const payments = await stack.paymentsFor(order.id);
    expect(payments.map((p) => p.status)).toEqual(['declined']);
  });

  it('charges the order total once, in minor units', async () => {
    const order = await createOrder(stack, {
      currency: 'JPY',
      items: [{ sku: 'A', name: 'Tea', quantity: 3, unitPrice: 700 }],
    });
    await eventually(
      () => getOrder(stack, order.id),
      (o) => o?.status === 'DELIVERED',
    );
    const payments = await stack.paymentsFor(order.id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: 'confirmed', amount: 2100 });
  });
});

describe('subscribing to one order', () => {
  let stack: Stack;
  beforeAll(async () => {
    // A slow payment leaves time to subscribe between create and confirm, also on a loaded
    // machine where the event stream lags behind the commits.
    stack = await Stack.start({
      payments: { PAYMENT_LATENCY_MS: '1500' },
      orders: { DELIVERY_DELAY_SECONDS: '0.5' },
    });
  });
  afterAll(() => stack.close());

  it('sees that order only, through CONFIRMED and DELIVERED', async () => {
    const firehose = stack.subscribe<Updated>(ALL_ORDERS);
    // Live once it sees an order created after it started (as in the test above).
    const probe = await createOrder(stack, { paymentToken: 'tok_decline' });
    await firehose.waitFor((e) => statusesOf(e, probe.id).length > 0);
    const order = await createOrder(stack);
    const other = await createOrder(stack);
    // A subscription is live from when it is made: once the stream has published both
    // creations, what it publishes next is after them, and `order`'s CREATED is not owed.
    await firehose.waitFor(
      (e) => statusesOf(e, order.id).length > 0 && statusesOf(e, other.id).length > 0,
    );
    firehose.stop();
    const sub = stack.subscribe<Updated>(ONE_ORDER, { id: order.id });
    const events = await sub.waitFor((e) => statusesOf(e, order.id).includes('DELIVERED'));
    expect(events.every((e) => e.orderUpdated.id === order.id)).toBe(true);
    expect(statusesOf(events, order.id)).toEqual(['CONFIRMED', 'DELIVERED']);
    await eventually(
      () => getOrder(stack, other.id),
      (o) => o?.status === 'DELIVERED',
    );
    expect(statusesOf(sub.events, other.id)).toEqual([]);
  });

  it('refuses a malformed id and an unknown order', async () => {
    const malformed = stack.subscribe<Updated>(ONE_ORDER, { id: 'not-an-id' });
    await malformed.waitFor(() => malformed.errors.length > 0 || malformed.completed);
    expect(JSON.stringify(malformed.errors)).toContain('BAD_USER_INPUT');
    const unknown = stack.subscribe<Updated>(ONE_ORDER, {
      id: '01890000-0000-7000-8000-000000000000',
    });
    await unknown.waitFor(() => unknown.errors.length > 0 || unknown.completed);
    expect(JSON.stringify(unknown.errors)).toContain('NOT_FOUND');
  });
});
