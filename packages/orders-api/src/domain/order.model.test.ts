import { describe, expect, it } from 'vitest';
import { orderAtVersion, type OrderView } from './order.model.js';

const t1 = new Date('2024-03-05T10:00:00.000Z');
const t2 = new Date('2024-03-05T10:00:01.500Z');
const t3 = new Date('2024-03-05T10:05:00.000Z');

const customer = { kind: 'CUSTOMER', id: 'customer-1' } as const;
const provider = { kind: 'PAYMENT_PROVIDER', id: null } as const;

/** An order that was created, confirmed and then cancelled by its customer. */
function cancelledAfterConfirm(): OrderView {
  return {
    id: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
    number: 1042,
    version: 3,
    status: 'CANCELLED',
    items: [{ sku: 'SKU-1', name: 'Widget', quantity: 2, unitPrice: 1250 }],
    total: 2500,
    currency: 'EUR',
    customerId: 'customer-1',
    createdAt: t1,
    updatedAt: t3,
    cancellationReason: 'changed my mind',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    shippingAddress: null,
    nextAction: { kind: 'REFUND', dueAt: t3, attempts: 0, lastError: null },
    history: [
      { from: null, to: 'CREATED', at: t1, reason: null, actor: customer },
      { from: 'CREATED', to: 'CONFIRMED', at: t2, reason: null, actor: provider },
      { from: 'CONFIRMED', to: 'CANCELLED', at: t3, reason: 'changed my mind', actor: customer },
    ],
  };
}

describe('orderAtVersion', () => {
  it('rebuilds the order as it was after each transition', () => {
    const order = cancelledAfterConfirm();
    const states = [1, 2, 3].map((v) => orderAtVersion(order, v));
    expect(states.map((s) => s?.status)).toEqual(['CREATED', 'CONFIRMED', 'CANCELLED']);
    expect(states.map((s) => s?.version)).toEqual([1, 2, 3]);
    expect(states.map((s) => s?.updatedAt)).toEqual([t1, t2, t3]);
    expect(states.map((s) => s?.cancellationReason)).toEqual([null, null, 'changed my mind']);
    expect(states.map((s) => s?.history)).toEqual([
      order.history.slice(0, 1),
      order.history.slice(0, 2),
      order.history,
    ]);
  });

  it('keeps what never changes: id, number, items, total, currency, customer, createdAt', () => {
    const order = cancelledAfterConfirm();
    const first = orderAtVersion(order, 1);
    expect(first).toMatchObject({
      id: order.id,
      number: 1042,
      customer: order.customer,
      shippingAddress: null,
      items: order.items,
      total: 2500,
      currency: 'EUR',
      createdAt: t1,
    });
  });

  it('takes the cancellation reason from the cancelling transition', () => {
    const order = cancelledAfterConfirm();
    // The stored reason and the history disagree here on purpose: the history is the source.
    const rebuilt = orderAtVersion({ ...order, cancellationReason: 'stale' }, 3);
    expect(rebuilt?.cancellationReason).toBe('changed my mind');
  });

  it('shows the pending work only for the order as it is now', () => {
    const order = cancelledAfterConfirm();
    expect(orderAtVersion(order, 3)?.nextAction).toEqual(order.nextAction);
    expect(orderAtVersion(order, 2)?.nextAction).toBeNull();
    expect(orderAtVersion(order, 1)?.nextAction).toBeNull();
  });

  it('is null for a version past the history, and for version 0', () => {
    const order = cancelledAfterConfirm();
    expect(orderAtVersion(order, 4)).toBeNull();
    expect(orderAtVersion(order, 100)).toBeNull();
    expect(orderAtVersion(order, 0)).toBeNull();
    expect(orderAtVersion(order, -1)).toBeNull();
  });

  it('leaves the order it was given untouched', () => {
    const order = cancelledAfterConfirm();
    const copy = structuredClone(order);
    orderAtVersion(order, 1);
    expect(order).toEqual(copy);
  });
});
