// @vitest-environment node
import { ORDER_LIMITS, ORDER_STATUSES, canCancel, type OrderStatus } from '@oms/order-lifecycle';
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { cancelOrderMachine } from './cancel-order.machine.js';
import { orderFixture } from '../../lib/graphql/order.fixtures.js';

const ORDER_ID = '3d9a7f52-1c4e-4b8a-9f0d-6e2b1a5c7d84';

interface CancelCall {
  orderId: string;
  reason: string | null;
  expectedVersion: number | null;
}

function cancelledOrder(call: CancelCall): Order {
  return orderFixture(['CREATED', 'CONFIRMED', 'CANCELLED'], {
    id: call.orderId,
    updatedAt: '2024-06-01T10:05:00.000Z',
    cancellationReason: call.reason ?? 'CUSTOMER_REQUEST',
  });
}

/** Rejects the way the button's actor does: with the API's problems, not an Error. */
function refuse(problems: ApiProblem[]): Promise<never> {
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  return Promise.reject(problems);
}

/** The real machine with only the network swapped; records calls and the actions it fires. */
function start(
  status: OrderStatus,
  answer: (call: CancelCall) => Promise<Order>,
  version: number | null = null,
) {
  const calls: CancelCall[] = [];
  const cancelled: Order[] = [];
  let refusals = 0;
  const actor = createActor(
    cancelOrderMachine.provide({
      actors: {
        cancelOrder: fromPromise<Order, CancelCall>(({ input }) => {
          calls.push(input);
          return answer(input);
        }),
      },
      actions: {
        orderCancelled: (_, order) => cancelled.push(order),
        cancelRefused: () => {
          refusals++;
        },
      },
    }),
    { input: { orderId: ORDER_ID, status, version } },
  );
  actor.start();
  return { actor, calls, cancelled, refusals: () => refusals };
}

const approve = (call: CancelCall) => Promise.resolve(cancelledOrder(call));

describe('cancel order machine', () => {
  it('opens the confirmation only for statuses the lifecycle lets a customer cancel', () => {
    for (const status of ORDER_STATUSES) {
      const { actor } = start(status, approve);
      actor.send({ type: 'OPEN' });
      expect(actor.getSnapshot().value, status).toBe(canCancel(status) ? 'confirming' : 'idle');
    }
    // The lifecycle's rule, spelled out: the two statuses a customer can still cancel.
    expect(ORDER_STATUSES.filter(canCancel)).toEqual(['CREATED', 'CONFIRMED']);
  });

  it('closes on DISMISS without sending anything, and forgets the typed reason', () => {
    const { actor, calls } = start('CONFIRMED', approve);
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'EDIT_REASON', reason: 'changed my mind' });
    actor.send({ type: 'DISMISS' });
    expect(actor.getSnapshot().value).toBe('idle');
    expect(calls).toEqual([]);
    actor.send({ type: 'OPEN' });
    expect(actor.getSnapshot().context.reason).toBe('');
  });

  it('refuses a reason longer than the lifecycle allows, and sends nothing', () => {
    const { actor, calls } = start('CONFIRMED', approve);
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'EDIT_REASON', reason: 'r'.repeat(ORDER_LIMITS.maxReasonLength + 1) });
    expect(actor.getSnapshot().context.reasonError).toBe(
      `Reason must be at most ${ORDER_LIMITS.maxReasonLength} characters`,
    );
    actor.send({ type: 'CONFIRM' });
    expect(actor.getSnapshot().value).toBe('confirming');
    expect(calls).toEqual([]);

    // Shortening it clears the error as the user types.
    actor.send({ type: 'EDIT_REASON', reason: 'r'.repeat(ORDER_LIMITS.maxReasonLength) });
    expect(actor.getSnapshot().context.reasonError).toBeNull();
  });

  it('checks the reason as sent: surrounding spaces do not count towards its length', async () => {
    const { actor, calls } = start('CONFIRMED', approve);
    const longest = 'r'.repeat(ORDER_LIMITS.maxReasonLength);
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'EDIT_REASON', reason: `  ${longest}  ` });
    expect(actor.getSnapshot().context.reasonError).toBeNull();
    actor.send({ type: 'CONFIRM' });
    await waitFor(actor, (s) => s.matches('cancelled'));
    expect(calls).toEqual([{ orderId: ORDER_ID, reason: longest, expectedVersion: null }]);
  });

  it('refuses a reason with characters the database cannot store', () => {
    const { actor, calls } = start('CREATED', approve);
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'EDIT_REASON', reason: 'a\u0000b' });
    actor.send({ type: 'CONFIRM' });
    expect(actor.getSnapshot().context.reasonError).toBe('Reason must not contain NUL characters');
    expect(calls).toEqual([]);
  });

  it('sends a blank reason as null, so the server records its default', async () => {
    const { actor, calls } = start('CONFIRMED', approve);
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'EDIT_REASON', reason: '   ' });
    expect(actor.getSnapshot().context.reasonError).toBeNull();
    actor.send({ type: 'CONFIRM' });
    await waitFor(actor, (s) => s.matches('cancelled'));
    expect(calls).toEqual([{ orderId: ORDER_ID, reason: null, expectedVersion: null }]);
  });

  it('cancels with the typed reason and tells the page about the cancelled order', async () => {
    const { actor, calls, cancelled, refusals } = start('CONFIRMED', approve);
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'EDIT_REASON', reason: '  ordered twice ' });
    actor.send({ type: 'CONFIRM' });
    expect(actor.getSnapshot().value).toBe('cancelling');
    // Confirming twice sends one request.
    actor.send({ type: 'CONFIRM' });

    const done = await waitFor(actor, (s) => s.matches('cancelled'));
    expect(calls).toEqual([{ orderId: ORDER_ID, reason: 'ordered twice', expectedVersion: null }]);
    expect(done.context.status).toBe('CANCELLED');
    expect(cancelled).toHaveLength(1);
    expect(cancelled[0]?.cancellationReason).toBe('ordered twice');
    expect(refusals()).toBe(0);
    // Nothing to cancel any more.
    actor.send({ type: 'OPEN' });
    expect(actor.getSnapshot().value).toBe('cancelled');
  });

  it("shows the server's refusal as worded and tells the page its view may be stale", async () => {
    const message = `Order ${ORDER_ID} cannot be cancelled: it is DELIVERED`;
    const { actor, cancelled, refusals } = start('CONFIRMED', () =>
      refuse([{ code: 'ORDER_NOT_CANCELLABLE', message }]),
    );
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'CONFIRM' });

    const failed = await waitFor(actor, (s) => s.matches('failed'));
    expect(failed.context.problem).toEqual({ code: 'ORDER_NOT_CANCELLABLE', message });
    expect(refusals()).toBe(1);
    expect(cancelled).toEqual([]);
  });

  it('shows a general message when the failure carries no problem', async () => {
    const { actor } = start('CONFIRMED', () => Promise.reject(new Error('socket hang up')));
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'CONFIRM' });
    const failed = await waitFor(actor, (s) => s.matches('failed'));
    expect(failed.context.problem?.message).toMatch(/could not be cancelled/);
  });

  it('lets the user try again after a failure that left the order cancellable', async () => {
    let attempt = 0;
    const { actor, calls } = start('CONFIRMED', (call) =>
      ++attempt === 1 ? refuse([{ code: 'NETWORK', message: 'offline' }]) : approve(call),
    );
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'CONFIRM' });
    await waitFor(actor, (s) => s.matches('failed'));

    actor.send({ type: 'OPEN' });
    expect(actor.getSnapshot().value).toBe('confirming');
    expect(actor.getSnapshot().context.problem).toBeNull();
    actor.send({ type: 'CONFIRM' });
    await waitFor(actor, (s) => s.matches('cancelled'));
    expect(calls).toHaveLength(2);
  });

  it('fails with a message when the order is delivered while the dialog is open', () => {
    const { actor, calls } = start('CONFIRMED', approve);
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'STATUS_CHANGED', status: 'DELIVERED' });

    const snapshot = actor.getSnapshot();
    expect(snapshot.value).toBe('failed');
    expect(snapshot.context.problem?.message).toBe(
      'The order is now delivered and can no longer be cancelled.',
    );
    // It cannot be opened again: the lifecycle no longer allows a cancel.
    actor.send({ type: 'OPEN' });
    expect(actor.getSnapshot().value).toBe('failed');
    actor.send({ type: 'CONFIRM' });
    expect(calls).toEqual([]);
  });

  it('stays open when the order moves to a status that can still be cancelled', () => {
    const { actor } = start('CREATED', approve);
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'STATUS_CHANGED', status: 'CONFIRMED' });
    expect(actor.getSnapshot().value).toBe('confirming');
    expect(actor.getSnapshot().context.status).toBe('CONFIRMED');
  });

  it('follows status changes while closed, so it no longer opens for a delivered order', () => {
    const { actor } = start('CONFIRMED', approve);
    actor.send({ type: 'STATUS_CHANGED', status: 'DELIVERED' });
    actor.send({ type: 'OPEN' });
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('sends the latest version it saw, and explains a conflict in words', async () => {
    const { actor, calls, refusals } = start(
      'CREATED',
      () =>
        refuse([
          {
            code: 'VERSION_CONFLICT',
            message: 'version conflict',
            currentVersion: 2,
            currentStatus: 'CONFIRMED',
          },
        ]),
      0,
    );
    actor.send({ type: 'STATUS_CHANGED', status: 'CREATED', version: 1 });
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'CONFIRM' });
    const failed = await waitFor(actor, (s) => s.matches('failed'));
    expect(calls).toEqual([{ orderId: ORDER_ID, reason: null, expectedVersion: 1 }]);
    expect(failed.context.problem).toMatchObject({
      code: 'VERSION_CONFLICT',
      message:
        'This order changed while you were looking at it: it is now Confirmed. Review it and cancel again if you still want to.',
    });
    expect(refusals()).toBe(1);
  });

  it('says a conflicting order that can no longer be cancelled cannot be', async () => {
    const { actor } = start(
      'CONFIRMED',
      () =>
        refuse([
          { code: 'VERSION_CONFLICT', message: 'x', currentVersion: 3, currentStatus: 'DELIVERED' },
        ]),
      2,
    );
    actor.send({ type: 'OPEN' });
    actor.send({ type: 'CONFIRM' });
    const failed = await waitFor(actor, (s) => s.matches('failed'));
    expect(failed.context.problem?.message).toBe(
      'This order changed while you were looking at it: it is now Delivered, so it can no longer be cancelled.',
    );
  });
});
