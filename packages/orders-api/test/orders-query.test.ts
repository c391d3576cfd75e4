import { rm } from 'node:fs/promises';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { orderSearchText } from '@oms/order-lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed } from '../src/seed/seed-writer.js';
import { PER_CUSTOMER_ACCESS, bearer, signToken } from './support/access.js';
import { overSocket } from './support/operations.js';
import {
  migrationsBefore,
  openMigratedWith,
  openOrdersDatabase,
} from './support/orders-database.js';
import { PAYMENTS_NEVER_ANSWER, Stack, orderInput } from './support/stack.js';

const LIST = `query List($first: Int, $after: String, $status: OrderStatus, $filter: OrderFilter,
                         $search: String, $orderBy: OrderOrder) {
  orders(first: $first, after: $after, status: $status, filter: $filter, search: $search,
         orderBy: $orderBy) {
    edges { cursor node { id number status total currency createdAt updatedAt customerId } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const CREATE = `mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { id number status total currency createdAt updatedAt customerId }
}`;
const CANCEL = `mutation Cancel($id: ID!) { cancelOrder(id: $id) { id status updatedAt } }`;

interface Node {
  id: string;
  number: number;
  status: string;
  total: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  customerId: string;
}
interface Page {
  edges: { cursor: string; node: Node }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}
interface Problem {
  message: string;
  extensions?: { code?: string; field?: string; fields?: { field: string; message: string }[] };
}

const item = (sku: string, name: string, quantity: number, unitPrice: number) => ({
  sku,
  name,
  quantity,
  unitPrice,
});

/** What each order is made of; A* are Alice's, B* Bob's, created one after another in this order. */
const ORDERS = {
  A1: {
    who: 'alice',
    items: [item('MUG-BLUE', 'Blue Mug', 2, 1250)],
    currency: 'EUR',
    customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
  },
  A2: {
    who: 'alice',
    items: [item('TEA-GREEN', 'Green Tea', 1, 800)],
    currency: 'USD',
    customer: { name: 'Grace Hopper', email: 'grace@navy.example' },
  },
  A3: {
    who: 'alice',
    items: [item('MUG-RED', 'Red Mug', 1, 1300), item('SPOON-1', 'Spoon', 3, 100)],
    currency: 'EUR',
  },
  A4: {
    who: 'alice',
    items: [item('PLATE-9', 'Dinner Plate', 4, 2000)],
    currency: 'JPY',
    customer: { name: 'Alan Turing', email: 'alan@bletchley.example' },
  },
  A5: { who: 'alice', items: [item('CUP-100%', 'Cup_Special', 1, 500)], currency: 'USD' },
  // The same total as A2: TOTAL sorts have a tie to break by id.
  A6: { who: 'alice', items: [item('CUPH-1', 'Cup Holder', 1, 800)], currency: 'GBP' },
  B1: {
    who: 'bob',
    items: [item('MUG-BLUE', 'Blue Mug', 1, 1250)],
    currency: 'EUR',
    customer: { name: 'Bob Builder', email: 'bob@example.com' },
  },
  B2: { who: 'bob', items: [item('LAMP-1', 'Desk Lamp', 1, 4000)], currency: 'USD' },
} as const;
type Key = keyof typeof ORDERS;
const CANCELLED: Key[] = ['A2', 'A6'];

/** Sort order written out plainly for the test: key, then id, in the direction. */
function sortedBy(nodes: Node[], field: string, direction: string): Node[] {
  const key = (n: Node) =>
    ({
      CREATED_AT: Date.parse(n.createdAt),
      UPDATED_AT: Date.parse(n.updatedAt),
      TOTAL: n.total,
      NUMBER: n.number,
    })[field] ?? Number.NaN;
  const sign = direction === 'ASC' ? 1 : -1;
  return [...nodes].sort(
    (a, b) => sign * (key(a) - key(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)),
  );
}

describe('the orders query: filter, search, sort', () => {
  let stack: Stack;
  const tokens: Record<'alice' | 'bob' | 'admin', Record<string, string>> = {
    alice: {},
    bob: {},
    admin: {},
  };
  let adminToken = '';
  const made = {} as Record<Key, Node>;
  const byId = new Map<string, Key>();

  async function list(
    who: keyof typeof tokens,
    variables: Record<string, unknown>,
  ): Promise<{ page: Page | null; errors: Problem[] | undefined }> {
    const result = await stack.gql<{ orders: Page }>(LIST, variables, tokens[who]);
    return { page: result.data?.orders ?? null, errors: result.errors };
  }

  /** Every page, `first` at a time, following endCursor. */
  async function all(
    who: keyof typeof tokens,
    variables: Record<string, unknown>,
    first = 100,
  ): Promise<Node[]> {
    const nodes: Node[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 50; pages += 1) {
      const { page, errors } = await list(who, { ...variables, first, after });
      expect(errors).toBeUndefined();
      if (page === null) throw new Error('no page');
      nodes.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) return nodes;
      after = page.pageInfo.endCursor;
    }
    throw new Error('paging does not end');
  }

  const keys = (nodes: Node[]) => nodes.map((n) => byId.get(n.id) ?? n.id);
  const keysOf = async (who: keyof typeof tokens, variables: Record<string, unknown>) =>
    keys(await all(who, variables));

  async function refusal(who: keyof typeof tokens, variables: Record<string, unknown>) {
    const { errors } = await list(who, variables);
    expect(errors, JSON.stringify(variables)).toHaveLength(1);
    const [error] = errors ?? [];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    return error?.extensions?.fields ?? [];
  }

  beforeAll(async () => {
    // Payment never answers: orders stay CREATED unless a test cancels them.
    stack = await Stack.start({ orders: { ...PER_CUSTOMER_ACCESS, ...PAYMENTS_NEVER_ANSWER } });
    tokens.alice = bearer(await signToken({ sub: 'customer-a' }));
    tokens.bob = bearer(await signToken({ sub: 'customer-b' }));
    adminToken = await signToken({ sub: 'support-1', roles: ['admin'] });
    tokens.admin = bearer(adminToken);
    for (const [key, spec] of Object.entries(ORDERS) as [Key, (typeof ORDERS)[Key]][]) {
      const result = await stack.gql<{ createOrder: Node }>(
        CREATE,
        {
          input: orderInput({
            items: spec.items,
            currency: spec.currency,
            ...('customer' in spec ? { customer: spec.customer } : {}),
          }),
        },
        tokens[spec.who],
      );
      expect(result.errors).toBeUndefined();
      if (!result.data) throw new Error('not created');
      made[key] = result.data.createOrder;
      byId.set(made[key].id, key);
    }
    for (const key of CANCELLED) {
      const result = await stack.gql(CANCEL, { id: made[key].id }, tokens.admin);
      expect(result.errors).toBeUndefined();
    }
  });
  afterAll(() => stack.close());

  it('finds an order by its number, with or without #, and only the caller’s own', async () => {
    const number = made.A3.number;
    expect(await keysOf('admin', { search: String(number) })).toEqual(['A3']);
    expect(await keysOf('admin', { search: `#${number}` })).toEqual(['A3']);
    expect(await keysOf('alice', { search: ` #${number} ` })).toEqual(['A3']);
    expect(await keysOf('bob', { search: `#${number}` })).toEqual([]);
    expect(await keysOf('admin', { search: '99999999999' })).toEqual([]);
  });

  it('finds text in SKUs, item names, customer names and emails, ignoring case', async () => {
    expect((await keysOf('admin', { search: 'mug' })).sort()).toEqual(['A1', 'A3', 'B1']);
    expect((await keysOf('admin', { search: 'BLUE mug' })).sort()).toEqual(['A1', 'B1']);
    expect(await keysOf('admin', { search: 'mug-r' })).toEqual(['A3']);
    expect(await keysOf('admin', { search: 'LOVELACE' })).toEqual(['A1']);
    expect(await keysOf('admin', { search: 'navy.example' })).toEqual(['A2']);
    // A customer's search never reaches another customer's orders.
    expect((await keysOf('alice', { search: 'mug' })).sort()).toEqual(['A1', 'A3']);
    expect(await keysOf('bob', { search: 'lovelace' })).toEqual([]);
  });

  it('takes %, _ and \\ in a search literally', async () => {
    expect(await keysOf('admin', { search: '100%' })).toEqual(['A5']);
    // `_` as a wildcard would also match "Cup Holder" and "CUPH-1".
    expect(await keysOf('admin', { search: 'cup_' })).toEqual(['A5']);
    expect(await keysOf('admin', { search: 'p\\s' })).toEqual([]);
  });

  it('applies each filter', async () => {
    expect((await keysOf('admin', { filter: { status: ['CANCELLED'] } })).sort()).toEqual(
      CANCELLED,
    );
    expect(await keysOf('admin', { filter: { status: ['CREATED', 'CANCELLED'] } })).toHaveLength(8);
    expect(await keysOf('admin', { filter: { status: [] } })).toHaveLength(8);
    expect((await keysOf('admin', { filter: { currency: 'EUR' } })).sort()).toEqual([
      'A1',
      'A3',
      'B1',
    ]);
    // Inclusive at both ends: 1250 (B1) and 2500 (A1) are in.
    expect((await keysOf('admin', { filter: { totalMin: 1250, totalMax: 2500 } })).sort()).toEqual([
      'A1',
      'A3',
      'B1',
    ]);
    expect((await keysOf('admin', { filter: { customerId: 'customer-b' } })).sort()).toEqual([
      'B1',
      'B2',
    ]);
    // createdAfter is inclusive and createdBefore exclusive: the two halves split the list.
    const at = made.A4.createdAt;
    const after = await keysOf('admin', { filter: { createdAfter: at } });
    const before = await keysOf('admin', { filter: { createdBefore: at } });
    expect(after).toContain('A4');
    expect(before).not.toContain('A4');
    expect([...after, ...before].sort()).toEqual(Object.keys(ORDERS).sort());
  });

  it('keeps the legacy status argument', async () => {
    expect((await keysOf('admin', { status: 'CANCELLED' })).sort()).toEqual(CANCELLED);
  });

  it('combines filters, search and sort', async () => {
    expect(
      await keysOf('admin', {
        search: 'mug',
        filter: { currency: 'EUR', status: ['CREATED'], totalMin: 1000 },
        orderBy: { field: 'TOTAL', direction: 'DESC' },
      }),
    ).toEqual(['A1', 'A3', 'B1']);
    expect(
      await keysOf('alice', {
        filter: { status: ['CREATED'] },
        orderBy: { field: 'TOTAL', direction: 'ASC' },
      }),
    ).toEqual(['A5', 'A3', 'A1', 'A4']);
  });

  it('sorts by every field in both directions, and pages through each without gaps or repeats', async () => {
    const everything = await all('admin', {});
    expect(everything).toHaveLength(8);
    for (const field of ['CREATED_AT', 'UPDATED_AT', 'TOTAL', 'NUMBER']) {
      for (const direction of ['ASC', 'DESC']) {
        const orderBy = { field, direction };
        const expected = keys(sortedBy(everything, field, direction));
        const label = `${field} ${direction}`;
        expect(await keysOf('admin', { orderBy }), label).toEqual(expected);
        // Two at a time: every page boundary is crossed with a cursor.
        expect(keys(await all('admin', { orderBy }, 2)), label).toEqual(expected);
        // The same with a filter.
        const filtered = expected.filter((k) => !CANCELLED.includes(k as Key));
        expect(
          keys(await all('admin', { orderBy, filter: { status: ['CREATED'] } }, 3)),
          label,
        ).toEqual(filtered);
      }
    }
  });

  it('refuses a cursor in a list it did not come from', async () => {
    const first = await list('admin', { first: 2, orderBy: { field: 'TOTAL', direction: 'ASC' } });
    const cursor = first.page?.pageInfo.endCursor;
    expect(cursor).toBeTruthy();
    const elsewhere = [
      { orderBy: { field: 'TOTAL', direction: 'DESC' } },
      { orderBy: { field: 'NUMBER', direction: 'ASC' } },
      { orderBy: { field: 'TOTAL', direction: 'ASC' }, filter: { currency: 'EUR' } },
      { orderBy: { field: 'TOTAL', direction: 'ASC' }, search: 'mug' },
    ];
    for (const variables of elsewhere) {
      const fields = await refusal('admin', { ...variables, first: 2, after: cursor });
      expect(fields, JSON.stringify(variables)).toEqual([
        { field: 'after', message: expect.stringContaining('another list') as unknown },
      ]);
    }
    // Another caller, same arguments.
    const fields = await refusal('alice', {
      first: 2,
      after: cursor,
      orderBy: { field: 'TOTAL', direction: 'ASC' },
    });
    expect(fields.map((f) => f.field)).toEqual(['after']);
    // The list it came from takes it.
    const next = await list('admin', {
      first: 2,
      after: cursor,
      orderBy: { field: 'TOTAL', direction: 'ASC' },
    });
    expect(next.errors).toBeUndefined();
  });

  it('refuses bad arguments, naming each', async () => {
    const cases: [Record<string, unknown>, string[]][] = [
      [{ search: 'ab' }, ['search']],
      [{ search: 'x'.repeat(201) }, ['search']],
      [{ filter: { totalMin: 10, totalMax: 9 } }, ['filter.totalMax']],
      [{ filter: { totalMin: -1 } }, ['filter.totalMin']],
      [
        { filter: { createdAfter: made.A4.createdAt, createdBefore: made.A4.createdAt } },
        ['filter.createdBefore'],
      ],
      [{ filter: { currency: 'eur' } }, ['filter.currency']],
      [{ status: 'CREATED', filter: { status: ['CANCELLED'] } }, ['status']],
      [{ search: 'a', filter: { currency: 'EURO' } }, ['filter.currency', 'search']],
    ];
    for (const [variables, names] of cases) {
      const fields = await refusal('admin', variables);
      expect(
        fields.map((f) => f.field),
        JSON.stringify(variables),
      ).toEqual(names);
    }
    // Customers may not filter by customer, not even by themselves.
    expect(
      (await refusal('alice', { filter: { customerId: 'customer-a' } })).map((f) => f.field),
    ).toEqual(['filter.customerId']);
  });

  it('answers the same over a WebSocket', async () => {
    const variables = {
      search: 'mug',
      filter: { status: ['CREATED'] },
      orderBy: { field: 'TOTAL', direction: 'ASC' },
      first: 100,
    };
    const overHttp = await list('admin', variables);
    const answer = await overSocket<{ orders: Page }>(stack, LIST, variables, {
      authorization: `Bearer ${adminToken}`,
    });
    expect(answer.errors).toEqual([]);
    expect(answer.data?.orders.edges.map((e) => e.node.id)).toEqual(
      overHttp.page?.edges.map((e) => e.node.id),
    );
    expect(keys(answer.data?.orders.edges.map((e) => e.node) ?? [])).toEqual(['B1', 'A3', 'A1']);
    const refused = await overSocket(
      stack,
      LIST,
      { search: 'ab' },
      {
        authorization: `Bearer ${adminToken}`,
      },
    );
    expect(refused.errors).toHaveLength(1);
    expect(JSON.stringify(refused.errors)).toContain('BAD_USER_INPUT');
  });
});

describe('migration 0008', () => {
  let db: TestDatabase | undefined;
  let folder: string | undefined;
  afterAll(async () => {
    await db?.dispose();
    if (folder !== undefined) await rm(folder, { recursive: true, force: true });
  });

  it('fills search_text for the orders that exist, as orderSearchText writes it', async () => {
    db = await createTestDatabase();
    folder = await migrationsBefore(8);
    const before = await openMigratedWith(db, folder);
    try {
      await seed({ orders: before }, { orders: 150, pending: true });
      // One order without a customer, so the migration's "customer only when known" is seen.
      await before.query(
        `update orders set customer_name = null, customer_email = null
                          where id = (select id from orders order by number limit 1)`,
        [],
      );
    } finally {
      await before.close();
    }
    const after = await openOrdersDatabase(db);
    try {
      const rows = await after.query<{
        search_text: string;
        customer_name: string | null;
        customer_email: string | null;
        items: { sku: string; name: string }[] | string;
      }>(
        `select o.search_text, o.customer_name, o.customer_email,
                (select json_agg(json_build_object('sku', i.sku, 'name', i.name) order by i.line)
                   from order_items i where i.order_id = o.id) as items
         from orders o`,
        [],
      );
      expect(rows).toHaveLength(150);
      for (const row of rows) {
        const items =
          typeof row.items === 'string'
            ? (JSON.parse(row.items) as { sku: string; name: string }[])
            : row.items;
        const { customer_name: name, customer_email: email } = row;
        const customer = name !== null && email !== null ? { name, email } : null;
        expect(row.search_text).toBe(orderSearchText({ customer, items }));
      }
      expect(rows.some((r) => r.customer_name === null)).toBe(true);
    } finally {
      await after.close();
    }
  });
});
