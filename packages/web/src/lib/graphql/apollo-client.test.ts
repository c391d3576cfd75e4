import { createClient } from 'graphql-ws';
import { describe, expect, it } from 'vitest';
import { createApolloClient } from './apollo-client.js';
import type { OrdersQueryVariables } from './generated/graphql.js';
import { ORDERS_QUERY } from './order.documents.js';
import { orderFixture, withTypenames } from './order.fixtures.js';

/** A client whose cache the test fills by hand; it never reaches a server. */
function cacheOnly() {
  const wsClient = createClient({ url: 'ws://127.0.0.1:9/graphql', lazy: true });
  return createApolloClient({ httpUrl: 'http://127.0.0.1:9/graphql', wsClient }).cache;
}

/** A page of the list holding orders with these numbers. */
function pageOf(numbers: number[], hasNextPage: boolean) {
  return {
    orders: {
      __typename: 'OrderConnection' as const,
      edges: numbers.map((number) => ({
        __typename: 'OrderEdge' as const,
        cursor: `c${number}`,
        node: withTypenames(orderFixture(['CREATED'], { id: `order-${number}`, number })),
      })),
      pageInfo: {
        __typename: 'PageInfo' as const,
        hasNextPage,
        endCursor: `c${numbers.at(-1)}`,
      },
    },
  };
}

const shown = (data: { orders: { edges: { node: { number: number } }[] } } | null) =>
  data?.orders.edges.map((e) => e.node.number);

describe('the orders list in the cache', () => {
  it('keeps one list per view, each growing by its own pages only', () => {
    const cache = cacheOnly();
    const all: OrdersQueryVariables = { first: 2 };
    const byTotal: OrdersQueryVariables = {
      first: 2,
      filter: { status: ['CREATED'] },
      search: 'mug',
      orderBy: { field: 'TOTAL', direction: 'ASC' },
    };
    cache.writeQuery({ query: ORDERS_QUERY, variables: all, data: pageOf([4, 3], true) });
    cache.writeQuery({
      query: ORDERS_QUERY,
      variables: { ...all, after: 'c3' },
      data: pageOf([2, 1], false),
    });
    cache.writeQuery({ query: ORDERS_QUERY, variables: byTotal, data: pageOf([1, 3], true) });

    expect(shown(cache.readQuery({ query: ORDERS_QUERY, variables: all }))).toEqual([4, 3, 2, 1]);
    expect(shown(cache.readQuery({ query: ORDERS_QUERY, variables: byTotal }))).toEqual([1, 3]);
    // The same filter sorted the other way is another list, not this one's pages.
    const otherWay = { ...byTotal, orderBy: { field: 'TOTAL', direction: 'DESC' } } as const;
    expect(cache.readQuery({ query: ORDERS_QUERY, variables: otherWay })).toBeNull();
  });

  it('starts a view again from its first page when that page is read again', () => {
    const cache = cacheOnly();
    const all: OrdersQueryVariables = { first: 2 };
    cache.writeQuery({ query: ORDERS_QUERY, variables: all, data: pageOf([4, 3], true) });
    cache.writeQuery({
      query: ORDERS_QUERY,
      variables: { ...all, after: 'c3' },
      data: pageOf([2, 1], false),
    });
    cache.writeQuery({ query: ORDERS_QUERY, variables: all, data: pageOf([5, 4], true) });
    expect(shown(cache.readQuery({ query: ORDERS_QUERY, variables: all }))).toEqual([5, 4]);
  });
});
