import { createTestDatabase } from '@oms/database/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrdersService } from '../src/domain/orders.service.js';
import { ordersPersistence } from '../src/persistence/orders-persistence.js';
import { overSocket } from './support/operations.js';
import { openOrdersDatabase } from './support/orders-database.js';
import { Stack, eventually, orderInput, PAYMENTS_NEVER_ANSWER } from './support/stack.js';

const FIELDS = 'id status createdAt updatedAt nextAction { kind dueAt attempts lastError }';
const CREATE = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { ${FIELDS} } }`;
const CANCEL = `mutation Cancel($id: ID!) { cancelOrder(id: $id) { ${FIELDS} } }`;
const GET = `query Get($id: ID!) { order(id: $id) { ${FIELDS} } }`;

interface Shown {
  id: string;
  status: string;
  createdAt: string;
  updatedAt: string;
  nextAction: { kind: string; dueAt: string; attempts: number; lastError: string | null } | null;
}

async function create(stack: Stack, paymentToken = 'tok_approve'): Promise<Shown> {
  const result = await stack.gql<{ createOrder: Shown }>(CREATE, {
    input: orderInput({ paymentToken }),
  });
  if (result.data == null) throw new Error(JSON.stringify(result));
  return result.data.createOrder;
}
const read = async (stack: Stack, id: string) =>
  (await stack.gql<{ order: Shown }>(GET, { id })).data?.order;

describe('the next action of an order, while payments fail', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Nothing answers payments; the first retry is a minute away.
    stack = await Stack.start({
      orders: {
        ...PAYMENTS_NEVER_ANSWER,
      },
    });
  });
  afterAll(() => stack.close());

  it('is the payment, due at once, when the order is made', async () => {
    const order = await create(stack);
    expect(order.nextAction).toEqual({
      kind: 'PAYMENT',
      dueAt: order.createdAt,
      attempts: 0,
      lastError: null,
    });
  });

  it('counts the attempts of a payment retried later, with why the last one failed', async () => {
    const order = await create(stack);
    const retrying = await eventually(
      () => read(stack, order.id),
      (o) => o?.nextAction?.lastError != null,
    );
    expect(retrying?.nextAction).toMatchObject({ kind: 'PAYMENT', attempts: 1 });
    expect(retrying?.nextAction?.lastError).toMatch(/^network: /);
    // The retry waits its backoff (capped at 30 s, with jitter down to half of it), not "at once".
    const due = Date.parse(retrying?.nextAction?.dueAt ?? '');
    expect(due - Date.now()).toBeGreaterThan(10_000);

    // The same over WebSocket.
    const socket = await overSocket<{ order: Shown }>(stack, GET, { id: order.id });
    expect(socket.data?.order.nextAction).toEqual(retrying?.nextAction);

    // Cancelled after a payment call may have reached the provider: the money is given back
    // next. (The worker takes that refund at once, so its attempts may already have begun.)
    const cancelled = await stack.gql<{ cancelOrder: Shown }>(CANCEL, { id: order.id });
    expect(cancelled.data?.cancelOrder.nextAction?.kind).toBe('REFUND');
  });
});

describe('the next action of an order, while payments answer', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '2' } });
  });
  afterAll(() => stack.close());

  it('is the delivery, due the delay after the confirmation, then nothing', async () => {
    const order = await create(stack);
    const confirmed = await eventually(
      () => read(stack, order.id),
      (o) => o?.status === 'CONFIRMED',
    );
    expect(confirmed?.nextAction).toMatchObject({ kind: 'DELIVERY', attempts: 0, lastError: null });
    expect(
      Date.parse(confirmed?.nextAction?.dueAt ?? '') - Date.parse(confirmed?.updatedAt ?? ''),
    ).toBe(2_000);
    const delivered = await eventually(
      () => read(stack, order.id),
      (o) => o?.status === 'DELIVERED',
    );
    expect(delivered?.nextAction).toBeNull();
  });

  it('is nothing for an order declined by the provider', async () => {
    const order = await create(stack, 'tok_decline');
    const cancelled = await eventually(
      () => read(stack, order.id),
      (o) => o?.status === 'CANCELLED',
    );
    expect(cancelled?.nextAction).toBeNull();
  });
});

describe('the last error of an action', () => {
  it('is kept with the retry and goes with the action when the order moves on', async () => {
    const testDb = await createTestDatabase();
    const handle = await openOrdersDatabase(testDb);
    try {
      // No worker: the test claims and retries the job itself.
      const store = ordersPersistence(handle, { delays: { deliveryDelay: 0 } });
      const customer = { customerId: 'customer-a', admin: false };
      const service = new OrdersService({
        repository: store.repository,
        cancellation: store.transitions,
      });
      const order = await service.createOrder(customer, {
        items: [{ sku: 'S', name: 'N', quantity: 1, unitPrice: 100 }],
      });
      const [job] = await store.jobs.claimCalls(10, 30);
      expect(job?.id).toBe(order.id);
      await store.jobs.retryLater([
        { id: order.id, claimToken: job?.claimToken ?? '', delayMs: 5_000, error: 'HTTP 503' },
      ]);
      const [retrying] = await store.repository.findMany([order.id]);
      expect(retrying?.nextAction).toMatchObject({
        kind: 'PAYMENT',
        attempts: 1,
        lastError: 'HTTP 503',
      });
      const cancelled = await service.cancelOrder(customer, order.id, null);
      expect(cancelled.nextAction).toMatchObject({ kind: 'REFUND', attempts: 0, lastError: null });
    } finally {
      await handle.close();
      await testDb.dispose();
    }
  });
});
