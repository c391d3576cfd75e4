import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Stack, createOrder, eventually } from './support/stack.js';

const PAGE = `query Page($first: Int, $after: String, $status: OrderStatus) {
  orders(first: $first, after: $after, status: $status) {
    edges { cursor node { id status createdAt } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;

interface Node {
  id: string;
  status: string;
  createdAt: string;
}

interface Page {
  edges: { cursor: string; node: Node }[];
  pageInfo: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
  };
}

/** Newest first; the same instant is ordered by id, highest first. */
function newestFirst(a: Node, b: Node): number {
  const byTime = Date.parse(b.createdAt) - Date.parse(a.createdAt);
  if (byTime !== 0) return byTime;
  if (a.id === b.id) return 0;
  return a.id < b.id ? 1 : -1;
}

describe('listing orders', () => {
  let stack: Stack;
  const approved: string[] = [];
  const declined: string[] = [];
  /** The orders created one after another, last, in creation order. */
  const sequential: string[] = [];

  async function page(variables: Record<string, unknown>): Promise<Page> {
    const result = await stack.gql<{ orders: Page }>(PAGE, variables);
    expect(result.errors).toBeUndefined();
    if (!result.data) throw new Error('no data');
    return result.data.orders;
  }

  /** Follows `endCursor` from the first page to the last, keeping every page. */
  async function allPages(variables: Record<string, unknown>): Promise<Page[]> {
    const pages = [await page(variables)];
    for (let last = pages[0]; last?.pageInfo.hasNextPage === true; last = pages[pages.length - 1]) {
      if (pages.length > 50) throw new Error('paging does not end');
      pages.push(await page({ ...variables, after: last.pageInfo.endCursor }));
    }
    return pages;
  }

  const idsOf = (pages: Page[]): string[] => pages.flatMap((p) => p.edges.map((e) => e.node.id));

  beforeAll(async () => {
    // Confirmed orders stay CONFIRMED for the whole file: delivery is an hour away.
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '3600' } });
    const token = (i: number) => (i % 3 === 0 ? 'tok_decline' : 'tok_approve');
    // Twenty at once (several may share a millisecond), then five one after another.
    const burst = await Promise.all(
      Array.from({ length: 20 }, (_, i) => createOrder(stack, { paymentToken: token(i) })),
    );
    burst.forEach((order, i) => (token(i) === 'tok_decline' ? declined : approved).push(order.id));
    for (let i = 20; i < 25; i += 1) {
      const order = await createOrder(stack, { paymentToken: token(i) });
      (token(i) === 'tok_decline' ? declined : approved).push(order.id);
      sequential.push(order.id);
    }
  });
  afterAll(() => stack.close());

  it('lists every order newest first, ties broken by id descending', async () => {
    const all = await page({ first: 100 });
    const nodes = all.edges.map((e) => e.node);
    expect(nodes).toHaveLength(25);
    expect(new Set(nodes.map((n) => n.id))).toEqual(new Set([...approved, ...declined]));
    expect(nodes).toEqual([...nodes].sort(newestFirst));
    expect(nodes.slice(0, 5).map((n) => n.id)).toEqual([...sequential].reverse());
    expect(all.pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: false,
      startCursor: all.edges[0]?.cursor,
      endCursor: all.edges[24]?.cursor,
    });
  });

  it('visits every order exactly once, 10 at a time', async () => {
    const everything = idsOf([await page({ first: 100 })]);
    const pages = await allPages({ first: 10 });
    expect(pages.map((p) => p.edges.length)).toEqual([10, 10, 5]);
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, false]);
    expect(idsOf(pages)).toEqual(everything);
    for (const p of pages) {
      expect(p.pageInfo.startCursor).toBe(p.edges[0]?.cursor);
      expect(p.pageInfo.endCursor).toBe(p.edges[p.edges.length - 1]?.cursor);
    }
  });

  it('says there is no next page when the last page is exactly full', async () => {
    const everything = idsOf([await page({ first: 100 })]);
    const pages = await allPages({ first: 5 });
    expect(pages.map((p) => p.pageInfo.hasNextPage)).toEqual([true, true, true, true, false]);
    expect(idsOf(pages)).toEqual(everything);
    const beyond = await page({ first: 5, after: pages[4]?.pageInfo.endCursor });
    expect(beyond.edges).toEqual([]);
    expect(beyond.pageInfo).toMatchObject({
      hasNextPage: false,
      startCursor: null,
      endCursor: null,
    });
  });

  it('continues from any edge cursor, one order at a time', async () => {
    const everything = idsOf([await page({ first: 100 })]);
    const pages = await allPages({ first: 1 });
    expect(pages).toHaveLength(25);
    expect(idsOf(pages)).toEqual(everything);
  });

  it('returns 20 orders when `first` is not given', async () => {
    const everything = idsOf([await page({ first: 100 })]);
    const first = await page({});
    expect(idsOf([first])).toEqual(everything.slice(0, 20));
    expect(first.pageInfo.hasNextPage).toBe(true);
  });

  it('filters by status, newest first, and pages within the filter', async () => {
    // Declined payments cancel their orders; approved ones confirm them.
    const settled = (status: string, count: number) =>
      eventually(
        () => page({ first: 100, status }),
        (p) => p.edges.length === count,
      );
    const cancelled = await settled('CANCELLED', declined.length);
    const confirmed = await settled('CONFIRMED', approved.length);

    expect(new Set(idsOf([cancelled]))).toEqual(new Set(declined));
    expect(cancelled.edges.every((e) => e.node.status === 'CANCELLED')).toBe(true);
    expect(new Set(idsOf([confirmed]))).toEqual(new Set(approved));
    expect(confirmed.edges.every((e) => e.node.status === 'CONFIRMED')).toBe(true);

    const everything = idsOf([await page({ first: 100 })]);
    expect(idsOf([cancelled])).toEqual(everything.filter((id) => declined.includes(id)));

    const pages = await allPages({ first: 4, status: 'CANCELLED' });
    expect(pages.map((p) => p.edges.length)).toEqual([4, 4, 1]);
    expect(idsOf(pages)).toEqual(idsOf([cancelled]));
    expect((await page({ first: 100, status: 'DELIVERED' })).edges).toEqual([]);
  });
});
