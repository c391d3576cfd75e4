import { describe, expect, it } from 'vitest';
import {
  canonicalOrderQuery,
  compareOrders,
  EMPTY_ORDER_QUERY,
  orderMatchesQuery,
  orderQueryFromSearchParams,
  orderQueryToSearchParams,
  orderSearchText,
  parseOrderSearch,
  validateOrderQuery,
  type OrderQuery,
  type QueryableOrder,
} from './order-query-rules.js';
import { formatMajorUnits } from './order-rules.js';

const order = (overrides: Partial<QueryableOrder> = {}): QueryableOrder => ({
  id: '00000000-0000-4000-8000-000000000001',
  number: 1042,
  status: 'CONFIRMED',
  total: 2500,
  currency: 'EUR',
  createdAt: '2026-12-01T10:00:00.000Z',
  updatedAt: '2026-12-01T10:05:00.000Z',
  customerId: 'cust-1',
  customer: { name: 'Ada Lovelace', email: 'ada@example.com' },
  items: [{ sku: 'MUG-BLUE', name: 'Blue Mug' }],
  ...overrides,
});

const query = (overrides: Partial<OrderQuery> = {}): OrderQuery => ({
  ...EMPTY_ORDER_QUERY,
  ...overrides,
});

const admin = { admin: true, naming: 'graphql' } as const;

describe('parseOrderSearch', () => {
  it('reads 1042 and #1042 as that number, anything else as lower-cased text', () => {
    expect(parseOrderSearch('1042')).toEqual({ kind: 'number', number: 1042 });
    expect(parseOrderSearch(' #1042 ')).toEqual({ kind: 'number', number: 1042 });
    expect(parseOrderSearch('Blue Mug')).toEqual({ kind: 'text', text: 'blue mug' });
    expect(parseOrderSearch('  ')).toBeNull();
    expect(parseOrderSearch(null)).toBeNull();
  });
});

describe('validateOrderQuery', () => {
  it('accepts an empty query and a full one', () => {
    expect(validateOrderQuery(EMPTY_ORDER_QUERY, admin)).toEqual([]);
    const full = query({
      search: 'mug',
      filter: {
        status: ['CREATED', 'CONFIRMED'],
        createdAfter: new Date('2026-01-01T00:00:00Z'),
        createdBefore: new Date('2026-02-01T00:00:00Z'),
        totalMin: 0,
        totalMax: 10_000,
        currency: 'EUR',
        customerId: 'cust-1',
      },
      orderBy: { field: 'TOTAL', direction: 'ASC' },
    });
    expect(validateOrderQuery(full, admin)).toEqual([]);
  });

  it('names each broken rule by the part the caller wrote, in GraphQL or in a URL', () => {
    const bad = query({
      search: 'ab',
      filter: { totalMin: -1, currency: 'eur', customerId: 'someone' },
    });
    const errors = validateOrderQuery(bad, { admin: false, naming: 'graphql' });
    expect(errors.map((e) => e.field)).toEqual([
      'filter.totalMin',
      'filter.currency',
      'filter.customerId',
      'search',
    ]);
    expect(errors.map((e) => e.message)).toEqual([
      'must be a whole number of minor units, 0 to 2147483647',
      'must be an ISO 4217 code in upper case (USD, EUR, ...)',
      'only admins may filter by customer',
      'must be an order number (1042 or #1042) or at least 3 characters',
    ]);
    expect(validateOrderQuery(bad, { admin: false, naming: 'url' }).map((e) => e.field)).toEqual([
      'totalMin',
      'currency',
      'customerId',
      'search',
    ]);
  });

  it('refuses ranges that are empty by construction', () => {
    const at = new Date('2026-01-01T00:00:00Z');
    expect(
      validateOrderQuery(query({ filter: { createdAfter: at, createdBefore: at } }), admin),
    ).toEqual([
      { field: 'filter.createdBefore', message: 'must be later than filter.createdAfter' },
    ]);
    expect(validateOrderQuery(query({ filter: { totalMin: 10, totalMax: 9 } }), admin)).toEqual([
      { field: 'filter.totalMax', message: 'must not be less than filter.totalMin' },
    ]);
  });

  it('takes a short number as a number search, and refuses long or control-character searches', () => {
    expect(validateOrderQuery(query({ search: '#7' }), admin)).toEqual([]);
    expect(validateOrderQuery(query({ search: 'x'.repeat(201) }), admin)).toHaveLength(1);
    expect(validateOrderQuery(query({ search: 'mug\u0000' }), admin)).toEqual([
      { field: 'search', message: 'must not contain control characters' },
    ]);
  });
});

describe('orderMatchesQuery', () => {
  it('finds an order by number, by SKU, item name, customer name or email, case-insensitively', () => {
    for (const search of ['1042', '#1042', 'mug-b', 'BLUE MUG', 'lovelace', 'ada@EXAMPLE']) {
      expect(orderMatchesQuery(order(), query({ search })), search).toBe(true);
    }
    for (const search of ['1043', 'teapot', 'mug\nada']) {
      expect(orderMatchesQuery(order(), query({ search })), search).toBe(false);
    }
  });

  it('applies every filter, createdAfter inclusive and createdBefore exclusive', () => {
    const created = new Date('2026-12-01T10:00:00.000Z');
    const yes = (filter: OrderQuery['filter']) => orderMatchesQuery(order(), query({ filter }));
    expect(yes({ status: ['CONFIRMED', 'DELIVERED'] })).toBe(true);
    expect(yes({ status: ['CREATED'] })).toBe(false);
    expect(yes({ status: [] })).toBe(true);
    expect(yes({ createdAfter: created })).toBe(true);
    expect(yes({ createdBefore: created })).toBe(false);
    expect(yes({ totalMin: 2500, totalMax: 2500 })).toBe(true);
    expect(yes({ totalMin: 2501 })).toBe(false);
    expect(yes({ totalMax: 2499 })).toBe(false);
    expect(yes({ currency: 'USD' })).toBe(false);
    expect(yes({ customerId: 'cust-2' })).toBe(false);
    expect(yes({ customerId: 'cust-1' })).toBe(true);
  });
});

describe('compareOrders', () => {
  it('sorts by the field, ties by id, in either direction', () => {
    const a = order({ id: '00000000-0000-4000-8000-00000000000a', total: 100 });
    const b = order({ id: '00000000-0000-4000-8000-00000000000b', total: 100 });
    const c = order({ id: '00000000-0000-4000-8000-00000000000c', total: 50 });
    const asc = [b, a, c].sort((x, y) => compareOrders(x, y, { field: 'TOTAL', direction: 'ASC' }));
    expect(asc.map((o) => o.id.slice(-1))).toEqual(['c', 'a', 'b']);
    const desc = [b, a, c].sort((x, y) =>
      compareOrders(x, y, { field: 'TOTAL', direction: 'DESC' }),
    );
    expect(desc.map((o) => o.id.slice(-1))).toEqual(['b', 'a', 'c']);
  });
});

describe('URL parameters', () => {
  it('round-trip a full query, defaults left out', () => {
    const full = query({
      search: '#1042',
      filter: {
        status: ['CANCELLED', 'CREATED'],
        createdAfter: new Date('2026-01-01T00:00:00.000Z'),
        createdBefore: new Date('2026-02-01T00:00:00.000Z'),
        totalMin: 0,
        totalMax: 999,
        currency: 'JPY',
        customerId: 'cust-1',
      },
      orderBy: { field: 'NUMBER', direction: 'ASC' },
    });
    const params = orderQueryToSearchParams(full);
    expect(params.getAll('status')).toEqual(['CREATED', 'CANCELLED']);
    const back = orderQueryFromSearchParams(params);
    expect(back.errors).toEqual([]);
    expect(back.query).toEqual({
      ...full,
      filter: { ...full.filter, status: ['CREATED', 'CANCELLED'] },
    });
    expect(orderQueryToSearchParams(EMPTY_ORDER_QUERY).toString()).toBe('');
  });

  it('names each parameter that does not parse, and leaves it at its default', () => {
    const params = new URLSearchParams(
      'status=SHIPPED&createdAfter=yesterday&totalMin=1.5&sort=PRICE&direction=UP&colour=blue&currency=EUR&currency=USD',
    );
    const { query: read, errors } = orderQueryFromSearchParams(params);
    expect(errors.map((e) => e.field).sort()).toEqual(
      ['colour', 'createdAfter', 'currency', 'direction', 'sort', 'status', 'totalMin'].sort(),
    );
    expect(read.filter.status).toBeUndefined();
    expect(read.orderBy).toEqual({ field: 'CREATED_AT', direction: 'DESC' });
  });

  it('reads a bare date as its midnight UTC', () => {
    const { query: read } = orderQueryFromSearchParams(
      new URLSearchParams('createdAfter=2026-03-04'),
    );
    expect(read.filter.createdAfter?.toISOString()).toBe('2026-03-04T00:00:00.000Z');
  });
});

describe('canonicalOrderQuery', () => {
  it('is equal for equal queries and differs when any part differs', () => {
    const base = canonicalOrderQuery(query({ search: ' #1042', filter: { status: [] } }));
    expect(canonicalOrderQuery(query({ search: '1042' }))).toBe(base);
    expect(canonicalOrderQuery(query({ search: '1043' }))).not.toBe(base);
    expect(canonicalOrderQuery(query({ filter: { currency: 'EUR' } }))).not.toBe(
      canonicalOrderQuery(EMPTY_ORDER_QUERY),
    );
    expect(
      canonicalOrderQuery(query({ orderBy: { field: 'CREATED_AT', direction: 'ASC' } })),
    ).not.toBe(canonicalOrderQuery(EMPTY_ORDER_QUERY));
  });
});

describe('orderSearchText and formatMajorUnits', () => {
  it('keeps each searchable part on its own line', () => {
    expect(orderSearchText(order())).toBe('ada lovelace\nada@example.com\nmug-blue\nblue mug');
    expect(orderSearchText({ customer: null, items: [] })).toBe('');
  });

  it('writes major units with the currency’s own digits', () => {
    expect(formatMajorUnits(1250, 'USD')).toBe('12.50');
    expect(formatMajorUnits(5, 'USD')).toBe('0.05');
    expect(formatMajorUnits(-5, 'USD')).toBe('-0.05');
    expect(formatMajorUnits(1250, 'JPY')).toBe('1250');
    expect(formatMajorUnits(1250, 'BHD')).toBe('1.250');
  });
});
