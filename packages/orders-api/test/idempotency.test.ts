import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CREATE_ORDER,
  Stack,
  createOrder,
  eventually,
  getOrder,
  orderInput,
  type OrderResult,
} from './support/stack.js';

const ORDER_IDS = 'query { orders(first: 100) { edges { node { id } } } }';

describe('idempotent order creation', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '3600' } });
  });
  afterAll(() => stack.close());

  async function orderIds(): Promise<string[]> {
    const result = await stack.gql<{ orders: { edges: { node: { id: string } }[] } }>(ORDER_IDS);
    expect(result.errors).toBeUndefined();
    return result.data?.orders.edges.map((e) => e.node.id) ?? [];
  }

  const create = (overrides: Record<string, unknown>) =>
    stack.gql<{ createOrder: OrderResult }>(CREATE_ORDER, { input: orderInput(overrides) });

  it('returns the same order for the same key, and pays for it once', async () => {
    const before = await orderIds();
    const first = await createOrder(stack, { idempotencyKey: 'repeat-1' });
    const again = await createOrder(stack, { idempotencyKey: 'repeat-1' });
    expect(again.id).toBe(first.id);
    expect(again).toMatchObject({
      items: first.items,
      total: first.total,
      currency: first.currency,
      createdAt: first.createdAt,
    });

    await eventually(
      () => getOrder(stack, first.id),
      (o) => o?.status === 'CONFIRMED',
    );
    // A repeat after the payment returns the order as it is now, and starts no new payment.
    const later = await createOrder(stack, { idempotencyKey: 'repeat-1' });
    expect(later).toMatchObject({ id: first.id, status: 'CONFIRMED' });
    expect(await orderIds()).toEqual([first.id, ...before]);

    const payments = await stack.paymentsFor(first.id);
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({ status: 'confirmed', amount: first.total });
  });

  it.each([
    ['different items', { items: [{ sku: 'OTHER', name: 'Other', quantity: 1, unitPrice: 5 }] }],
    [
      'a different quantity',
      { items: [{ sku: 'SKU-1', name: 'Widget', quantity: 3, unitPrice: 1250 }] },
    ],
    ['a different currency', { currency: 'JPY' }],
    ['a different payment token', { paymentToken: 'tok_decline' }],
  ])('refuses the same key with %s as IDEMPOTENCY_KEY_REUSED', async (label, change) => {
    const key = `reused-${label}`;
    const first = await createOrder(stack, { idempotencyKey: key });
    const before = await orderIds();
    const result = await create({ idempotencyKey: key, ...change });
    expect(result.status).toBe(200);
    expect(result.data).toBeNull();
    expect(result.errors).toHaveLength(1);
    expect(result.errors?.[0]?.extensions).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'input.idempotencyKey',
      orderId: first.id,
    });
    expect(await orderIds()).toEqual(before);
  });

  it('creates one order for 10 concurrent requests with one key', async () => {
    const before = await orderIds();
    const results = await Promise.all(
      Array.from({ length: 10 }, () => create({ idempotencyKey: 'concurrent-1' })),
    );
    expect(results.map((r) => r.errors)).toEqual(Array.from({ length: 10 }, () => undefined));
    const ids = new Set(results.map((r) => r.data?.createOrder.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    expect(await orderIds()).toEqual([id, ...before]);
  });

  it('creates different orders for different keys', async () => {
    const before = await orderIds();
    const a = await createOrder(stack, { idempotencyKey: 'distinct-a' });
    const b = await createOrder(stack, { idempotencyKey: 'distinct-b' });
    expect(a.id).not.toBe(b.id);
    expect(await orderIds()).toEqual([b.id, a.id, ...before]);
  });

  it('creates a new order every time without a key', async () => {
    const before = await orderIds();
    const a = await createOrder(stack);
    const b = await createOrder(stack);
    const c = await createOrder(stack, { idempotencyKey: null });
    expect(new Set([a.id, b.id, c.id]).size).toBe(3);
    expect(await orderIds()).toEqual([c.id, b.id, a.id, ...before]);
  });

  it('does not spend a key on a refused request', async () => {
    const refused = await create({ idempotencyKey: 'after-refusal', currency: 'eur' });
    expect(refused.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const accepted = await create({ idempotencyKey: 'after-refusal' });
    expect(accepted.errors).toBeUndefined();
    expect(accepted.data?.createOrder.currency).toBe('EUR');
  });
});
