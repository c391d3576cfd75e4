// @vitest-environment node
import type { OrderStatus } from '@oms/order-lifecycle';
import { describe, expect, it } from 'vitest';
import type { Order, OrdersPage } from '../../lib/graphql/order.types.js';
import { applyOrderToPage } from './orders-page.js';
import { orderFixture } from '../../lib/graphql/order.fixtures.js';

const PATHS: Record<OrderStatus, OrderStatus[]> = {
  CREATED: ['CREATED'],
  CONFIRMED: ['CREATED', 'CONFIRMED'],
  DELIVERED: ['CREATED', 'CONFIRMED', 'DELIVERED'],
  CANCELLED: ['CREATED', 'CANCELLED'],
};

/** An order created at minute `minute` of the day, in `status`, with the history to match. */
function order(id: string, minute: number, status: OrderStatus = 'CREATED'): Order {
  const createdAt = new Date(Date.UTC(2024, 5, 1, 10, minute)).toISOString();
  return orderFixture(PATHS[status], { id, createdAt, updatedAt: createdAt });
}

/** A loaded page of orders, in the order given (the tests give them newest first). */
function page(orders: Order[], hasNextPage = false): OrdersPage {
  return {
    edges: orders.map((node) => ({ cursor: `cursor-${node.id}`, node })),
    pageInfo: { hasNextPage, endCursor: orders.length > 0 ? `cursor-${orders.at(-1)?.id}` : null },
  };
}

const rows = (p: OrdersPage | null) => p?.edges.map((e) => `${e.node.id}:${e.node.status}`);

// Newest first, as the API sorts them.
const c = order('c', 30);
const b = order('b', 20);
const a = order('a', 10);

describe('applyOrderToPage', () => {
  it('updates a loaded row in place', () => {
    const next = applyOrderToPage(page([c, b, a]), order('b', 20, 'CONFIRMED'), null);
    expect(rows(next)).toEqual(['c:CREATED', 'b:CONFIRMED', 'a:CREATED']);
    // The row keeps its cursor, so "load more" still continues from the right place.
    expect(next?.edges[1]?.cursor).toBe('cursor-b');
    expect(next?.pageInfo).toEqual(page([c, b, a]).pageInfo);
  });

  it('ignores an update older than the row shown', () => {
    const loaded = page([order('b', 20, 'DELIVERED'), a]);
    expect(applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), null)).toBeNull();
    expect(applyOrderToPage(loaded, order('b', 20, 'CREATED'), null)).toBeNull();
  });

  it('does not change the page it was given', () => {
    const loaded = page([c, b, a]);
    const before = structuredClone(loaded);
    applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), null);
    applyOrderToPage(loaded, order('d', 40), null);
    expect(loaded).toEqual(before);
  });

  it('removes a row whose order leaves the status filter', () => {
    const loaded = page([c, b, a]);
    const next = applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), 'CREATED');
    expect(rows(next)).toEqual(['c:CREATED', 'a:CREATED']);
  });

  it('keeps an updated row that still matches the filter', () => {
    const loaded = page([order('c', 30, 'CONFIRMED'), order('a', 10, 'CONFIRMED')]);
    const sameStatus = { ...order('a', 10, 'CONFIRMED'), total: 999 };
    const next = applyOrderToPage(loaded, sameStatus, 'CONFIRMED');
    expect(next?.edges[1]?.node.total).toBe(999);
  });

  it('puts a new order at the top when it is the newest', () => {
    const next = applyOrderToPage(page([c, b, a], true), order('d', 40), null);
    expect(rows(next)).toEqual(['d:CREATED', 'c:CREATED', 'b:CREATED', 'a:CREATED']);
  });

  it('places an order that newly matches the filter where the API sorts it', () => {
    const loaded = page([order('c', 30, 'CONFIRMED'), order('a', 10, 'CONFIRMED')], true);
    const next = applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), 'CONFIRMED');
    expect(rows(next)).toEqual(['c:CONFIRMED', 'b:CONFIRMED', 'a:CONFIRMED']);
  });

  it('breaks ties in creation time by id, descending, as the API does', () => {
    const x = order('x', 20);
    const m = order('m', 20);
    const loaded = page([c, x, m, a]);
    expect(rows(applyOrderToPage(loaded, order('p', 20), null))).toEqual([
      'c:CREATED',
      'x:CREATED',
      'p:CREATED',
      'm:CREATED',
      'a:CREATED',
    ]);
    expect(rows(applyOrderToPage(loaded, order('z', 20), null))?.[1]).toBe('z:CREATED');
    expect(rows(applyOrderToPage(loaded, order('b', 20), null))?.[3]).toBe('b:CREATED');
  });

  it('compares creation times as instants, not as text', () => {
    // 10:25 UTC written with an offset: as text it would sort above 10:30.
    const withOffset = { ...order('n', 0), createdAt: '2024-06-01T12:25:00.000+02:00' };
    expect(rows(applyOrderToPage(page([c, b, a]), withOffset, null))).toEqual([
      'c:CREATED',
      'n:CREATED',
      'b:CREATED',
      'a:CREATED',
    ]);
  });

  it('leaves an order older than every loaded row to the page not loaded yet', () => {
    expect(applyOrderToPage(page([c, b], true), order('a', 10), null)).toBeNull();
  });

  it('appends an order older than every loaded row when there is no next page', () => {
    const next = applyOrderToPage(page([c, b], false), order('a', 10), null);
    expect(rows(next)).toEqual(['c:CREATED', 'b:CREATED', 'a:CREATED']);
    expect(rows(applyOrderToPage(page([]), a, null))).toEqual(['a:CREATED']);
  });

  it('returns null when the order is not in the page and does not match the filter', () => {
    expect(applyOrderToPage(page([c, a]), order('b', 20, 'DELIVERED'), 'CREATED')).toBeNull();
  });

  it('agrees with a reload: applying every update gives the list the API would return', () => {
    // Orders move through the lifecycle; after each event the page must hold exactly the
    // loaded-range orders that match the filter, newest first.
    const all = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => order(id, i * 10));
    const events: Order[] = [
      order('b', 10, 'CONFIRMED'),
      order('e', 40, 'CONFIRMED'),
      order('g', 60),
      order('b', 10, 'DELIVERED'),
      order('e', 40, 'CANCELLED'),
      order('a', 0, 'CONFIRMED'),
      order('g', 60, 'CONFIRMED'),
    ];
    for (const filter of [null, 'CREATED', 'CONFIRMED', 'DELIVERED'] as const) {
      const latest = new Map(all.map((o) => [o.id, o]));
      const expected = () =>
        [...latest.values()]
          .filter((o) => filter === null || o.status === filter)
          .sort((x, y) => y.createdAt.localeCompare(x.createdAt))
          .map((o) => `${o.id}:${o.status}`);
      let current: OrdersPage = page(
        all.filter((o) => filter === null || o.status === filter).reverse(),
      );
      for (const event of events) {
        latest.set(event.id, event);
        current = applyOrderToPage(current, event, filter) ?? current;
        expect(rows(current), `${filter ?? 'all'} after ${event.id}:${event.status}`).toEqual(
          expected(),
        );
      }
    }
  });
});
