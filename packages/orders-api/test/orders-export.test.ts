import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PER_CUSTOMER_ACCESS, bearer, signToken } from './support/access.js';
import { PAYMENTS_NEVER_ANSWER, Stack, orderInput } from './support/stack.js';

const CREATE = `mutation Create($input: CreateOrderInput!) {
  createOrder(input: $input) { id number createdAt updatedAt }
}`;
const CANCEL = `mutation Cancel($id: ID!) { cancelOrder(id: $id) { id } }`;
const LIST = `query List($filter: OrderFilter, $search: String, $orderBy: OrderOrder) {
  orders(first: 100, filter: $filter, search: $search, orderBy: $orderBy) {
    edges { node { id } }
  }
}`;

const COLUMNS = [
  'number',
  'id',
  'status',
  'created_at',
  'updated_at',
  'customer_name',
  'customer_email',
  'currency',
  'total',
  'total_minor',
  'items',
  'ship_country',
];

const address = (country: string) => ({
  line1: '1 Main Street',
  city: 'Springfield',
  postalCode: '12345',
  country,
});

interface Made {
  id: string;
  number: number;
  createdAt: string;
  updatedAt: string;
}

describe('GET /orders.csv', () => {
  let stack: Stack;
  let alice: Record<string, string>;
  let bob: Record<string, string>;
  let admin: Record<string, string>;
  const made: Record<string, Made> = {};

  async function create(
    key: string,
    headers: Record<string, string>,
    input: Record<string, unknown>,
  ): Promise<void> {
    const result = await stack.gql<{ createOrder: Made }>(
      CREATE,
      { input: orderInput(input) },
      headers,
    );
    expect(result.errors).toBeUndefined();
    if (!result.data) throw new Error('not created');
    made[key] = result.data.createOrder;
  }

  function csv(query: string, headers: Record<string, string> = admin): Promise<Response> {
    return fetch(`${stack.orders.url.replace(/\/graphql$/, '')}/orders.csv${query}`, { headers });
  }

  /** The export's rows as records by column, after checking the header row. */
  async function rows(query: string, headers = admin): Promise<Record<string, string>[]> {
    const response = await csv(query, headers);
    expect(response.status).toBe(200);
    const text = await response.text();
    const [header, ...records] = parse(text, { columns: false });
    expect(header).toEqual(COLUMNS);
    return records.map((r) => Object.fromEntries(COLUMNS.map((c, i) => [c, r[i] ?? ''])));
  }

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        ...PER_CUSTOMER_ACCESS,
        ...PAYMENTS_NEVER_ANSWER,
        // Two per statement: every export here crosses batch boundaries.
        ORDERS_EXPORT_BATCH_SIZE: '2',
      },
    });
    alice = bearer(await signToken({ sub: 'customer-a' }));
    bob = bearer(await signToken({ sub: 'customer-b' }));
    admin = bearer(await signToken({ sub: 'support-1', roles: ['admin'] }));
    await create('mugs', alice, {
      items: [
        { sku: 'MUG-BLUE', name: 'Blue Mug', quantity: 2, unitPrice: 1250 },
        { sku: 'TEA-1', name: 'Tea, "green"', quantity: 1, unitPrice: 5 },
      ],
      currency: 'EUR',
      customer: { name: 'Doe, "Jay"', email: 'jay@example.com' },
      shippingAddress: address('DE'),
    });
    await create('yen', alice, {
      items: [{ sku: 'PLATE-9', name: 'Plate', quantity: 4, unitPrice: 2000 }],
      currency: 'JPY',
    });
    await create('formula', bob, {
      items: [{ sku: '+SKU', name: '@SUM(A1:A9)', quantity: 1, unitPrice: 700 }],
      currency: 'USD',
      customer: { name: '=HYPERLINK("http://example.com","x")', email: 'eve@example.com' },
      shippingAddress: address('US'),
    });
    await create('minus', bob, {
      items: [{ sku: 'LAMP-1', name: '-1+2', quantity: 1, unitPrice: 4000 }],
      currency: 'BHD',
      customer: { name: '-2+3', email: 'minus@example.com' },
    });
    await create('blue', bob, {
      items: [{ sku: 'MUG-BLUE', name: 'Blue Mug', quantity: 1, unitPrice: 1250 }],
      currency: 'EUR',
      customer: { name: '@bob', email: 'bob@example.com' },
    });
    const cancelled = await stack.gql(CANCEL, { id: made.yen?.id }, admin);
    expect(cancelled.errors).toBeUndefined();
  });
  afterAll(() => stack.close());

  it('answers CSV as an attachment, RFC 4180 lines, newest first by default', async () => {
    const response = await csv('');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(
      /^attachment; filename="orders-\d{8}T\d{6}Z\.csv"$/,
    );
    const text = await response.text();
    // CRLF after every record, the last included; no bare LF anywhere.
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
    expect(text.split('\r\n')[0]).toBe(COLUMNS.join(','));
    const records = await rows('');
    expect(records.map((r) => r.id)).toEqual(
      ['blue', 'minus', 'formula', 'yen', 'mugs'].map((k) => made[k]?.id),
    );
  });

  it('writes each column as the contract says', async () => {
    const byId = new Map((await rows('')).map((r) => [r.id, r]));
    const mugs = made.mugs;
    expect(byId.get(mugs?.id ?? '')).toEqual({
      number: String(mugs?.number),
      id: mugs?.id,
      status: 'CREATED',
      created_at: mugs?.createdAt,
      updated_at: mugs?.updatedAt,
      // Comma and quotes survive the round trip through RFC 4180 quoting.
      customer_name: 'Doe, "Jay"',
      customer_email: 'jay@example.com',
      currency: 'EUR',
      total: '25.05',
      total_minor: '2505',
      items: '2 x Blue Mug (MUG-BLUE); 1 x Tea, "green" (TEA-1)',
      ship_country: 'DE',
    });
    const yen = byId.get(made.yen?.id ?? '');
    expect(yen).toMatchObject({
      status: 'CANCELLED',
      currency: 'JPY',
      total: '8000',
      total_minor: '8000',
      customer_name: '',
      ship_country: '',
    });
    expect(byId.get(made.minus?.id ?? '')).toMatchObject({ total: '4.000', total_minor: '4000' });
  });

  it('prefixes cells a spreadsheet would run as formulas with a quote', async () => {
    const byId = new Map((await rows('')).map((r) => [r.id, r]));
    expect(byId.get(made.formula?.id ?? '')).toMatchObject({
      customer_name: `'=HYPERLINK("http://example.com","x")`,
      items: '1 x @SUM(A1:A9) (+SKU)',
    });
    expect(byId.get(made.minus?.id ?? '')?.customer_name).toBe(`'-2+3`);
    expect(byId.get(made.blue?.id ?? '')?.customer_name).toBe(`'@bob`);
    // Only a cell's first character counts: "1 x @SUM…" starts with a digit and stays as it is.
    expect(byId.get(made.minus?.id ?? '')?.items).toBe('1 x -1+2 (LAMP-1)');
  });

  it('takes the list’s filter, search and sort, and answers what the orders query answers', async () => {
    const views: [string, Record<string, unknown>][] = [
      [
        '?search=mug&sort=TOTAL&direction=ASC',
        { search: 'mug', orderBy: { field: 'TOTAL', direction: 'ASC' } },
      ],
      ['?status=CREATED&currency=EUR', { filter: { status: ['CREATED'], currency: 'EUR' } }],
      [
        '?status=CANCELLED&status=CREATED&sort=NUMBER&direction=ASC',
        {
          filter: { status: ['CREATED', 'CANCELLED'] },
          orderBy: { field: 'NUMBER', direction: 'ASC' },
        },
      ],
      [`?search=%23${made.minus?.number}`, { search: `#${made.minus?.number}` }],
      [
        '?totalMin=1000&totalMax=5000&sort=UPDATED_AT&direction=DESC',
        {
          filter: { totalMin: 1000, totalMax: 5000 },
          orderBy: { field: 'UPDATED_AT', direction: 'DESC' },
        },
      ],
      ['?customerId=customer-a', { filter: { customerId: 'customer-a' } }],
    ];
    for (const [query, variables] of views) {
      const listed = await stack.gql<{ orders: { edges: { node: { id: string } }[] } }>(
        LIST,
        variables,
        admin,
      );
      expect(listed.errors, query).toBeUndefined();
      const expected = listed.data?.orders.edges.map((e) => e.node.id) ?? [];
      expect(expected.length, query).toBeGreaterThan(0);
      expect(
        (await rows(query)).map((r) => r.id),
        query,
      ).toEqual(expected);
    }
    expect((await rows('?search=mug&sort=TOTAL&direction=ASC')).map((r) => r.id)).toEqual([
      made.blue?.id,
      made.mugs?.id,
    ]);
  });

  it('gives a customer only their own orders, whatever they ask', async () => {
    expect((await rows('', alice)).map((r) => r.id).sort()).toEqual(
      [made.mugs?.id, made.yen?.id].sort(),
    );
    expect(await rows('?search=formula', alice)).toEqual([]);
    expect((await rows('?search=hyperlink', bob)).map((r) => r.id)).toEqual([made.formula?.id]);
    const refused = await csv('?customerId=customer-b', alice);
    expect(refused.status).toBe(400);
  });

  it('refuses a bad parameter with 400 naming it, and a missing token with 401', async () => {
    const cases: [string, string[]][] = [
      ['?totalMin=abc', ['totalMin']],
      ['?totalMin=10&totalMax=9', ['totalMax']],
      ['?sort=PRICE', ['sort']],
      ['?direction=UP', ['direction']],
      ['?status=SHIPPED', ['status']],
      ['?createdAfter=yesterday', ['createdAfter']],
      ['?createdAfter=2026-02-01&createdBefore=2026-01-01', ['createdBefore']],
      ['?currency=eur', ['currency']],
      ['?search=ab', ['search']],
      ['?colour=blue', ['colour']],
      ['?sort=TOTAL&sort=NUMBER', ['sort']],
    ];
    for (const [query, fields] of cases) {
      const response = await csv(query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as {
        error: { code: string; message: string; fields: { field: string }[] };
      };
      expect(body.error.code, query).toBe('BAD_USER_INPUT');
      expect(
        body.error.fields.map((f) => f.field),
        query,
      ).toEqual(fields);
      expect(body.error.message, query).toContain(fields[0]);
    }
    expect((await csv('', {})).status).toBe(401);
  });
});
