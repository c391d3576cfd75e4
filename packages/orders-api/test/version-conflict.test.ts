import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { overSocket } from './support/operations.js';
import { Stack, createOrder, eventually, PAYMENTS_NEVER_ANSWER } from './support/stack.js';

const FIELDS = 'id status version cancellationReason history { from to reason }';
const CANCEL = `mutation Cancel($id: ID!, $reason: String, $expectedVersion: Int) {
  cancelOrder(id: $id, reason: $reason, expectedVersion: $expectedVersion) { ${FIELDS} }
}`;
const GET = `query Get($id: ID!) { order(id: $id) { ${FIELDS} } }`;

interface Shown {
  id: string;
  status: string;
  version: number;
  cancellationReason: string | null;
  history: { from: string | null; to: string; reason: string | null }[];
}

/** Cancels and a conflict race on the real server only: the embedded one runs one statement at a time. */
const serverUrl = process.env.TEST_DATABASE_URL;

describe('cancelOrder with expectedVersion', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Nothing answers payments: orders stay CREATED until a test cancels them.
    stack = await Stack.start({
      orders: {
        ...PAYMENTS_NEVER_ANSWER,
      },
    });
  });
  afterAll(() => stack.close());

  const cancel = (variables: Record<string, unknown>) =>
    stack.gql<{ cancelOrder: Shown }>(CANCEL, variables);
  const read = async (id: string) => (await stack.gql<{ order: Shown }>(GET, { id })).data?.order;

  it('counts transitions in version: 1 once created, one more per transition', async () => {
    const order = await createOrder(stack);
    expect((await read(order.id))?.version).toBe(1);
    const cancelled = await cancel({ id: order.id, expectedVersion: 1 });
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data?.cancelOrder).toMatchObject({ status: 'CANCELLED', version: 2 });
    expect(cancelled.data?.cancelOrder.history).toHaveLength(2);
  });

  it('changes nothing and answers VERSION_CONFLICT with the current version and status once the order has moved on', async () => {
    const order = await createOrder(stack);
    await cancel({ id: order.id, reason: 'first' });
    const before = await read(order.id);
    expect(before).toMatchObject({ status: 'CANCELLED', version: 2, cancellationReason: 'first' });

    const stale = await cancel({ id: order.id, reason: 'second', expectedVersion: 1 });
    expect(stale.data ?? null).toBeNull();
    expect(stale.errors?.[0]?.extensions).toEqual({
      code: 'VERSION_CONFLICT',
      id: order.id,
      currentVersion: 2,
      status: 'CANCELLED',
    });
    expect(await read(order.id)).toEqual(before);

    // Without expectedVersion, cancelling a cancelled order still returns it unchanged.
    const again = await cancel({ id: order.id, reason: 'third' });
    expect(again.data?.cancelOrder).toEqual(before);
  });

  it('refuses a version the order has not reached yet, and cancels at the version it is at', async () => {
    const order = await createOrder(stack);
    const ahead = await cancel({ id: order.id, expectedVersion: 5 });
    expect(ahead.errors?.[0]?.extensions).toMatchObject({
      code: 'VERSION_CONFLICT',
      currentVersion: 1,
      status: 'CREATED',
    });
    expect(await read(order.id)).toMatchObject({ status: 'CREATED', version: 1 });
  });

  it('refuses an expectedVersion below 1 as BAD_USER_INPUT naming it', async () => {
    const order = await createOrder(stack);
    for (const expectedVersion of [0, -1]) {
      const answer = await cancel({ id: order.id, expectedVersion });
      expect(answer.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'expectedVersion',
      });
    }
    expect(await read(order.id)).toMatchObject({ status: 'CREATED', version: 1 });
  });

  it('answers the conflict the same way over WebSocket', async () => {
    const order = await createOrder(stack);
    await cancel({ id: order.id });
    const answer = await overSocket<{ cancelOrder: Shown }>(stack, CANCEL, {
      id: order.id,
      expectedVersion: 1,
    });
    expect(answer.data).toBeUndefined();
    expect(answer.errors[0]?.extensions).toEqual({
      code: 'VERSION_CONFLICT',
      id: order.id,
      currentVersion: 2,
      status: 'CANCELLED',
    });
    const fresh = await createOrder(stack);
    const won = await overSocket<{ cancelOrder: Shown }>(stack, CANCEL, {
      id: fresh.id,
      expectedVersion: 1,
    });
    expect(won.errors).toEqual([]);
    expect(won.data?.cancelOrder).toMatchObject({ status: 'CANCELLED', version: 2 });
  });

  it.skipIf(!serverUrl)(
    'lets exactly one of two cancels with the same expectedVersion win; the other gets VERSION_CONFLICT',
    async () => {
      const orders = await Promise.all(Array.from({ length: 30 }, () => createOrder(stack)));
      const raced = await Promise.all(
        orders.map(async (order) => {
          const [a, b] = await Promise.all([
            cancel({ id: order.id, reason: 'by A', expectedVersion: 1 }),
            cancel({ id: order.id, reason: 'by B', expectedVersion: 1 }),
          ]);
          return { order, answers: [a, b] };
        }),
      );
      for (const { order, answers } of raced) {
        const winners = answers.filter((a) => a.data?.cancelOrder !== undefined);
        const losers = answers.filter((a) => a.errors !== undefined);
        expect(winners, order.id).toHaveLength(1);
        expect(losers, order.id).toHaveLength(1);
        expect(losers[0]?.errors?.[0]?.extensions).toEqual({
          code: 'VERSION_CONFLICT',
          id: order.id,
          currentVersion: 2,
          status: 'CANCELLED',
        });
        const winner = winners[0]?.data?.cancelOrder;
        expect(winner).toMatchObject({ status: 'CANCELLED', version: 2 });
        // One transition was made, with the winner's reason.
        const now = await read(order.id);
        expect(now).toEqual(winner);
        expect(now?.history.map((h) => h.to)).toEqual(['CREATED', 'CANCELLED']);
      }
    },
  );
});

describe('cancelOrder with expectedVersion while payments move orders on', () => {
  let stack: Stack;

  beforeAll(async () => {
    // Payments answer at once; deliveries wait, so a confirmed order stays CONFIRMED.
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '600' } });
  });
  afterAll(() => stack.close());

  const cancel = (variables: Record<string, unknown>) =>
    stack.gql<{ cancelOrder: Shown }>(CANCEL, variables);
  const read = async (id: string) => (await stack.gql<{ order: Shown }>(GET, { id })).data?.order;

  it('does not cancel an order that was confirmed since the version the caller saw', async () => {
    const order = await createOrder(stack, { paymentToken: 'tok_approve' });
    const confirmed = await eventually(
      () => read(order.id),
      (o) => o?.status === 'CONFIRMED',
    );
    expect(confirmed?.version).toBe(2);
    const stale = await cancel({ id: order.id, expectedVersion: 1 });
    expect(stale.errors?.[0]?.extensions).toEqual({
      code: 'VERSION_CONFLICT',
      id: order.id,
      currentVersion: 2,
      status: 'CONFIRMED',
    });
    expect(await read(order.id)).toEqual(confirmed);
    const current = await cancel({ id: order.id, expectedVersion: 2 });
    expect(current.data?.cancelOrder).toMatchObject({ status: 'CANCELLED', version: 3 });
  });

  it.skipIf(!serverUrl)(
    'cancels at the version expected or not at all, when the confirmation races the cancel',
    async () => {
      const orders = await Promise.all(
        Array.from({ length: 30 }, () => createOrder(stack, { paymentToken: 'tok_approve' })),
      );
      const outcomes = await Promise.all(
        orders.map(async (order, i) => {
          // Spread over the time the payment takes, so some cancels come before it and some after.
          await new Promise((resolve) => setTimeout(resolve, (i % 10) * 5));
          return { order, answer: await cancel({ id: order.id, expectedVersion: 1 }) };
        }),
      );
      for (const { order, answer } of outcomes) {
        const now = await read(order.id);
        if (answer.data?.cancelOrder !== undefined) {
          // Cancelled from CREATED, at the version expected: nothing came between.
          expect(answer.data.cancelOrder.history.map((h) => h.to)).toEqual([
            'CREATED',
            'CANCELLED',
          ]);
          expect(now?.history.slice(0, 2)).toEqual(answer.data.cancelOrder.history);
        } else {
          expect(answer.errors?.[0]?.extensions).toEqual({
            code: 'VERSION_CONFLICT',
            id: order.id,
            currentVersion: 2,
            status: 'CONFIRMED',
          });
          expect(now).toMatchObject({ status: 'CONFIRMED', version: 2 });
        }
      }
    },
  );
});
