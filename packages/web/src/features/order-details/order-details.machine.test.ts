// @vitest-environment node
import type { OrderStatus } from '@oms/order-lifecycle';
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, waitFor, type EventObject } from 'xstate';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { orderDetailsMachine, type OrderDetailsEvent } from './order-details.machine.js';
import { orderFixture } from '../../lib/graphql/order.fixtures.js';

const ORDER_ID = '5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

/** The order after walking `path` through the lifecycle; history grows by one per step. */
function orderAt(...path: OrderStatus[]): Order {
  return orderFixture(path, { id: ORDER_ID });
}

const created = orderAt('CREATED');
const confirmed = orderAt('CREATED', 'CONFIRMED');
const delivered = orderAt('CREATED', 'CONFIRMED', 'DELIVERED');

/** A promise the test settles when it chooses, to order events against a read. */
function deferred<T>() {
  let resolve: (value: T) => void = () => undefined;
  let reject: (error: unknown) => void = () => undefined;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * The real machine with its two network actors swapped: every read returns the next promise
 * the test hands out, and the subscription lets the test push events as the server would.
 */
function start() {
  const reads: ReturnType<typeof deferred<Order | null>>[] = [];
  const watch = {
    subscribed: 0,
    unsubscribed: 0,
    orderIds: [] as string[],
    push: (_event: OrderDetailsEvent): void => {
      throw new Error('not subscribed');
    },
  };
  const actor = createActor(
    orderDetailsMachine.provide({
      actors: {
        loadOrder: fromPromise<Order | null, { orderId: string }>(() => {
          const read = deferred<Order | null>();
          reads.push(read);
          return read.promise;
        }),
        watchOrder: fromCallback<EventObject, { orderId: string }>(({ sendBack, input }) => {
          watch.subscribed++;
          watch.orderIds.push(input.orderId);
          watch.push = sendBack;
          return () => {
            watch.unsubscribed++;
          };
        }),
      },
    }),
    { input: { orderId: ORDER_ID } },
  );
  actor.start();
  const read = (n: number) => {
    const r = reads[n];
    if (r === undefined) throw new Error(`read ${n} was never started`);
    return r;
  };
  return { actor, reads, read, watch };
}

const shown = (actor: ReturnType<typeof start>['actor']) => actor.getSnapshot().context.order;

describe('order details machine', () => {
  it('subscribes to the order before its first read has answered', () => {
    const { actor, reads, watch } = start();
    expect(actor.getSnapshot().matches({ live: 'loading' })).toBe(true);
    expect(reads).toHaveLength(1);
    expect(watch.subscribed).toBe(1);
    expect(watch.orderIds).toEqual([ORDER_ID]);
  });

  it('shows the order it read', async () => {
    const { actor, read } = start();
    read(0).resolve(confirmed);
    const ready = await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(ready.context.order).toEqual(confirmed);
  });

  it('says not found when there is no such order, and stops listening', async () => {
    const { actor, read, watch } = start();
    read(0).resolve(null);
    await waitFor(actor, (s) => s.matches('notFound'));
    expect(shown(actor)).toBeNull();
    expect(watch.unsubscribed).toBe(1);
  });

  it('fails with the reason when the read fails, and reads again on RETRY', async () => {
    const { actor, read, reads, watch } = start();
    const problems: ApiProblem[] = [{ code: 'NETWORK', message: 'Could not reach the service.' }];
    read(0).reject(problems);
    const failed = await waitFor(actor, (s) => s.matches('failed'));
    expect(failed.context.error).toBe('Could not reach the service.');

    actor.send({ type: 'RETRY' });
    expect(actor.getSnapshot().matches({ live: 'loading' })).toBe(true);
    expect(actor.getSnapshot().context.error).toBeNull();
    expect(reads).toHaveLength(2);
    // Listening again, too, so nothing is missed after the retry.
    expect(watch.subscribed).toBe(2);
    read(1).resolve(created);
    const ready = await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(ready.context.order).toEqual(created);
  });

  it('keeps an update pushed while loading when the read answers with an older state', async () => {
    const { actor, read, watch } = start();
    // The transition commits after the read's snapshot was taken but arrives first.
    watch.push({ type: 'ORDER_UPDATED', order: confirmed });
    expect(shown(actor)).toEqual(confirmed);
    read(0).resolve(created);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(shown(actor)?.status).toBe('CONFIRMED');
  });

  it('takes the read when it is newer than what was pushed during loading', async () => {
    const { actor, read, watch } = start();
    watch.push({ type: 'ORDER_UPDATED', order: created });
    read(0).resolve(confirmed);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(shown(actor)?.status).toBe('CONFIRMED');
  });

  it('ignores a stale event that arrives after a newer one', async () => {
    const { actor, read, watch } = start();
    read(0).resolve(created);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));

    watch.push({ type: 'ORDER_UPDATED', order: delivered });
    watch.push({ type: 'ORDER_UPDATED', order: confirmed });
    expect(shown(actor)?.status).toBe('DELIVERED');
    // An update of the same age still applies (the answer to our own cancel, say).
    const sameAge = { ...delivered, updatedAt: '2024-06-01T11:00:00.000Z' };
    watch.push({ type: 'ORDER_UPDATED', order: sameAge });
    expect(shown(actor)).toEqual(sameAge);
  });

  it('re-reads on RESYNC and shows what it missed', async () => {
    const { actor, read, reads } = start();
    read(0).resolve(created);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));

    actor.send({ type: 'RESYNC' });
    expect(reads).toHaveLength(2);
    read(1).resolve(delivered);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(shown(actor)?.status).toBe('DELIVERED');
  });

  it('does not step back when a resync read is older than an event that beat it', async () => {
    const { actor, read, watch } = start();
    read(0).resolve(created);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    actor.send({ type: 'RESYNC' });
    watch.push({ type: 'ORDER_UPDATED', order: delivered });
    read(1).resolve(confirmed);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(shown(actor)?.status).toBe('DELIVERED');
  });

  it('keeps showing the last known state when a resync read fails', async () => {
    const { actor, read } = start();
    read(0).resolve(confirmed);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    actor.send({ type: 'RESYNC' });
    read(1).reject(new Error('offline'));
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(shown(actor)).toEqual(confirmed);
    expect(actor.getSnapshot().matches('failed')).toBe(false);
  });

  it('unsubscribes when it stops', async () => {
    const { actor, read, watch } = start();
    read(0).resolve(created);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    actor.stop();
    expect(watch.unsubscribed).toBe(1);
  });

  it('shows a note added here at once, and keeps it when an older snapshot arrives', async () => {
    const { actor, read, watch } = start();
    read(0).resolve(created);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    const note = {
      id: 'note-1',
      text: 'Gift wrap, please',
      visibility: 'PUBLIC' as const,
      createdAt: '2024-06-01T10:00:05.000Z',
      author: { kind: 'CUSTOMER' as const, id: 'demo-customer' },
    };
    actor.send({ type: 'NOTE_ADDED', note });
    expect(shown(actor)?.notes).toEqual([note]);
    // The payment's event was read before the note was written: the status moves, the note stays.
    watch.push({ type: 'ORDER_UPDATED', order: confirmed });
    expect(shown(actor)?.status).toBe('CONFIRMED');
    expect(shown(actor)?.notes).toEqual([note]);
  });

  it('shows notes added elsewhere with the next snapshot, even one of the same status', async () => {
    const { actor, read, watch } = start();
    read(0).resolve(created);
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    const theirs = {
      id: 'note-2',
      text: 'Called the customer',
      visibility: 'INTERNAL' as const,
      createdAt: '2024-06-01T10:00:07.000Z',
      author: { kind: 'ADMIN' as const, id: 'ops' },
    };
    actor.send({ type: 'RESYNC' });
    read(1).resolve({ ...created, notes: [theirs] });
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(shown(actor)?.notes).toEqual([theirs]);
    // A resync read older than a pushed event still brings its notes.
    actor.send({ type: 'RESYNC' });
    watch.push({ type: 'ORDER_UPDATED', order: { ...delivered, notes: [theirs] } });
    const later = { ...theirs, id: 'note-3', createdAt: '2024-06-01T10:00:09.000Z' };
    read(2).resolve({ ...confirmed, notes: [theirs, later] });
    await waitFor(actor, (s) => s.matches({ live: 'ready' }));
    expect(shown(actor)?.status).toBe('DELIVERED');
    expect(shown(actor)?.notes.map((n) => n.id)).toEqual(['note-2', 'note-3']);
  });
});
