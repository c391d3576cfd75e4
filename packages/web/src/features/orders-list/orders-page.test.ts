// @vitest-environment node
import { EMPTY_ORDER_QUERY, type OrderQuery, type OrderStatus } from '@oms/order-lifecycle';
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

/** The plain list, or the list of one status. */
function only(status: OrderStatus | null): OrderQuery {
  return status === null
    ? EMPTY_ORDER_QUERY
    : { ...EMPTY_ORDER_QUERY, filter: { status: [status] } };
}
const ALL = only(null);

const rows = (p: OrdersPage | null) => p?.edges.map((e) => `${e.node.id}:${e.node.status}`);

// Newest first, as the API sorts them.
const c = order('c', 30);
const b = order('b', 20);
const a = order('a', 10);

describe('applyOrderToPage', () => {
  it('updates a loaded row in place', () => {
    const next = applyOrderToPage(page([c, b, a]), order('b', 20, 'CONFIRMED'), ALL);
    expect(rows(next)).toEqual(['c:CREATED', 'b:CONFIRMED', 'a:CREATED']);
    // The row keeps its cursor, so "load more" still continues from the right place.
    expect(next?.edges[1]?.cursor).toBe('cursor-b');
    expect(next?.pageInfo).toEqual(page([c, b, a]).pageInfo);
  });

  it('ignores an update older than the row shown', () => {
    const loaded = page([order('b', 20, 'DELIVERED'), a]);
    expect(applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), ALL)).toBeNull();
    expect(applyOrderToPage(loaded, order('b', 20, 'CREATED'), ALL)).toBeNull();
  });

  it('does not change the page it was given', () => {
    const loaded = page([c, b, a]);
    const before = structuredClone(loaded);
    applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), ALL);
    applyOrderToPage(loaded, order('d', 40), ALL);
    expect(loaded).toEqual(before);
  });

  it('removes a row whose order leaves the status filter', () => {
    const loaded = page([c, b, a]);
    const next = applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), only('CREATED'));
    expect(rows(next)).toEqual(['c:CREATED', 'a:CREATED']);
  });

  it('keeps an updated row that still matches the filter', () => {
    const loaded = page([order('c', 30, 'CONFIRMED'), order('a', 10, 'CONFIRMED')]);
    const sameStatus = { ...order('a', 10, 'CONFIRMED'), total: 999 };
    const next = applyOrderToPage(loaded, sameStatus, only('CONFIRMED'));
    expect(next?.edges[1]?.node.total).toBe(999);
  });

  it('puts a new order at the top when it is the newest', () => {
    const next = applyOrderToPage(page([c, b, a], true), order('d', 40), ALL);
    expect(rows(next)).toEqual(['d:CREATED', 'c:CREATED', 'b:CREATED', 'a:CREATED']);
  });

  it('places an order that newly matches the filter where the API sorts it', () => {
    const loaded = page([order('c', 30, 'CONFIRMED'), order('a', 10, 'CONFIRMED')], true);
    const next = applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), only('CONFIRMED'));
    expect(rows(next)).toEqual(['c:CONFIRMED', 'b:CONFIRMED', 'a:CONFIRMED']);
  });

  it('breaks ties in creation time by id, descending, as the API does', () => {
    const x = order('x', 20);
    const m = order('m', 20);
    const loaded = page([c, x, m, a]);
    expect(rows(applyOrderToPage(loaded, order('p', 20), ALL))).toEqual([
      'c:CREATED',
      'x:CREATED',
      'p:CREATED',
      'm:CREATED',
      'a:CREATED',
    ]);
    expect(rows(applyOrderToPage(loaded, order('z', 20), ALL))?.[1]).toBe('z:CREATED');
    expect(rows(applyOrderToPage(loaded, order('b', 20), ALL))?.[3]).toBe('b:CREATED');
  });

  it('compares creation times as instants, not as text', () => {
    // 10:25 UTC written with an offset: as text it would sort above 10:30.
    const withOffset = { ...order('n', 0), createdAt: '2024-06-01T12:25:00.000+02:00' };
    expect(rows(applyOrderToPage(page([c, b, a]), withOffset, ALL))).toEqual([
      'c:CREATED',
      'n:CREATED',
      'b:CREATED',
      'a:CREATED',
    ]);
  });

  it('leaves an order older than every loaded row to the page not loaded yet', () => {
    expect(applyOrderToPage(page([c, b], true), order('a', 10), ALL)).toBeNull();
  });

  it('appends an order older than every loaded row when there is no next page', () => {
    const next = applyOrderToPage(page([c, b], false), order('a', 10), ALL);
    expect(rows(next)).toEqual(['c:CREATED', 'b:CREATED', 'a:CREATED']);
    expect(rows(applyOrderToPage(page([]), a, ALL))).toEqual(['a:CREATED']);
  });

  it('returns null when the order is not in the page and does not match the filter', () => {
    expect(applyOrderToPage(page([c, a]), order('b', 20, 'DELIVERED'), only('CREATED'))).toBeNull();
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
        current = applyOrderToPage(current, event, only(filter)) ?? current;
        expect(rows(current), `${filter ?? 'all'} after ${event.id}:${event.status}`).toEqual(
          expected(),
        );
      }
    }
  });

  describe('with search, other filters and other sorts', () => {
    /** An order with a total, an item, and an update time, created at `minute`. */
    function priced(
      id: string,
      minute: number,
      total: number,
      sku = 'MUG-1',
      status: OrderStatus = 'CREATED',
    ): Order {
      return {
        ...order(id, minute, status),
        number: 1000 + minute,
        total,
        items: [{ sku, name: 'Thing', quantity: 1, unitPrice: total }],
      };
    }
    const byTotal = (direction: 'ASC' | 'DESC'): OrderQuery => ({
      ...ALL,
      orderBy: { field: 'TOTAL', direction },
    });
    const totals = (p: OrdersPage | null) => p?.edges.map((e) => `${e.node.id}:${e.node.total}`);

    it('inserts a new order at its place by total, not by time', () => {
      const loaded = page([priced('x', 1, 100), priced('y', 2, 300), priced('z', 3, 500)], true);
      const next = applyOrderToPage(loaded, priced('n', 50, 200), byTotal('ASC'));
      expect(totals(next)).toEqual(['x:100', 'n:200', 'y:300', 'z:500']);
      const desc = page([priced('z', 3, 500), priced('y', 2, 300), priced('x', 1, 100)], true);
      expect(totals(applyOrderToPage(desc, priced('n', 50, 400), byTotal('DESC')))).toEqual([
        'z:500',
        'n:400',
        'y:300',
        'x:100',
      ]);
    });

    it('leaves an order past the last loaded total to the next page', () => {
      const loaded = page([priced('x', 1, 100), priced('y', 2, 300)], true);
      expect(applyOrderToPage(loaded, priced('n', 50, 301), byTotal('ASC'))).toBeNull();
      const last = page([priced('x', 1, 100), priced('y', 2, 300)], false);
      expect(totals(applyOrderToPage(last, priced('n', 50, 301), byTotal('ASC')))).toEqual([
        'x:100',
        'y:300',
        'n:301',
      ]);
    });

    it('keeps the last loaded row in place when it changes but its sort key does not', () => {
      const loaded = page([priced('x', 1, 100), priced('y', 2, 300)], true);
      const next = applyOrderToPage(
        loaded,
        priced('y', 2, 300, 'MUG-1', 'CONFIRMED'),
        byTotal('ASC'),
      );
      expect(rows(next)).toEqual(['x:CREATED', 'y:CONFIRMED']);
      expect(next?.edges[1]?.cursor).toBe('cursor-y');
    });

    it('moves a row whose update time changed when the list is sorted by it', () => {
      const byUpdated: OrderQuery = { ...ALL, orderBy: { field: 'UPDATED_AT', direction: 'DESC' } };
      const loaded = page([c, b, a], true);
      const later = { ...order('a', 10, 'CONFIRMED'), updatedAt: '2024-06-01T11:00:00.000Z' };
      expect(rows(applyOrderToPage(loaded, later, byUpdated))).toEqual([
        'a:CONFIRMED',
        'c:CREATED',
        'b:CREATED',
      ]);
      // Sorted oldest update first, it moves past the loaded range and leaves for a later page.
      const ascending: OrderQuery = { ...ALL, orderBy: { field: 'UPDATED_AT', direction: 'ASC' } };
      const up = page([a, b, c], true);
      expect(rows(applyOrderToPage(up, later, ascending))).toEqual(['b:CREATED', 'c:CREATED']);
    });

    it('shows a pushed order only when it matches the search', () => {
      const searched: OrderQuery = { ...ALL, search: 'blue' };
      const loaded = page([priced('x', 30, 100, 'BLUE-MUG')]);
      expect(applyOrderToPage(loaded, priced('n', 40, 100, 'RED-MUG'), searched)).toBeNull();
      expect(totals(applyOrderToPage(loaded, priced('n', 40, 100, 'XBLUEX'), searched))).toEqual([
        'n:100',
        'x:100',
      ]);
      const byNumber: OrderQuery = { ...ALL, search: '#1040' };
      expect(rows(applyOrderToPage(page([]), priced('n', 40, 100), byNumber))).toEqual([
        'n:CREATED',
      ]);
      expect(applyOrderToPage(page([]), priced('m', 41, 100), byNumber)).toBeNull();
    });

    it('applies the total, currency and date filters to pushed orders', () => {
      const view: OrderQuery = {
        ...ALL,
        filter: {
          totalMin: 100,
          totalMax: 200,
          currency: 'USD',
          createdAfter: new Date('2024-06-01T10:10:00Z'),
          createdBefore: new Date('2024-06-01T10:20:00Z'),
        },
      };
      const empty = page([]);
      expect(rows(applyOrderToPage(empty, priced('n', 10, 100), view))).toEqual(['n:CREATED']);
      expect(rows(applyOrderToPage(empty, priced('n', 19, 200), view))).toEqual(['n:CREATED']);
      expect(applyOrderToPage(empty, priced('n', 20, 150), view)).toBeNull();
      expect(applyOrderToPage(empty, priced('n', 9, 150), view)).toBeNull();
      expect(applyOrderToPage(empty, priced('n', 15, 99), view)).toBeNull();
      expect(applyOrderToPage(empty, priced('n', 15, 201), view)).toBeNull();
      expect(
        applyOrderToPage(empty, { ...priced('n', 15, 150), currency: 'EUR' }, view),
      ).toBeNull();
    });

    it('removes a row that no longer matches several statuses', () => {
      const view: OrderQuery = { ...ALL, filter: { status: ['CREATED', 'CONFIRMED'] } };
      const loaded = page([c, b, a]);
      const confirmed = applyOrderToPage(loaded, order('b', 20, 'CONFIRMED'), view);
      expect(rows(confirmed)).toEqual(['c:CREATED', 'b:CONFIRMED', 'a:CREATED']);
      expect(rows(applyOrderToPage(loaded, order('b', 20, 'CANCELLED'), view))).toEqual([
        'c:CREATED',
        'a:CREATED',
      ]);
    });
  });
});
