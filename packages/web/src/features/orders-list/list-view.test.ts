// @vitest-environment node
import { describe, expect, it } from 'vitest';
import {
  ariaSort,
  DEFAULT_VIEW,
  isDefaultView,
  listViewParams,
  ordersQueryVariables,
  readListView,
  searchedFor,
  searchProblem,
  sortedBy,
  type ListView,
} from './list-view.js';

const FULL: ListView = {
  search: 'blue mug',
  filter: {
    status: ['CREATED', 'CANCELLED'],
    createdAfter: new Date('2026-01-01T00:00:00.000Z'),
    createdBefore: new Date('2026-02-01T00:00:00.000Z'),
    totalMin: 1000,
    totalMax: 25000,
    currency: 'EUR',
  },
  orderBy: { field: 'TOTAL', direction: 'ASC' },
};

const read = (query: string, admin = false) => readListView(new URLSearchParams(query), { admin });

describe('the view in the URL', () => {
  it('leaves the default view out of the URL', () => {
    expect(listViewParams(DEFAULT_VIEW).toString()).toBe('');
    expect(read('')).toEqual({ view: DEFAULT_VIEW, ignored: [] });
    expect(isDefaultView(DEFAULT_VIEW)).toBe(true);
    expect(isDefaultView(FULL)).toBe(false);
  });

  it('writes every part with the CSV endpoint’s parameter names, status repeated', () => {
    expect(listViewParams(FULL).toString()).toBe(
      'search=blue+mug&status=CREATED&status=CANCELLED' +
        '&createdAfter=2026-01-01T00%3A00%3A00.000Z&createdBefore=2026-02-01T00%3A00%3A00.000Z' +
        '&totalMin=1000&totalMax=25000&currency=EUR&sort=TOTAL&direction=ASC',
    );
  });

  it('reads back what it wrote', () => {
    const { view, ignored } = readListView(listViewParams(FULL), { admin: false });
    expect(ignored).toEqual([]);
    expect(listViewParams(view).toString()).toBe(listViewParams(FULL).toString());
    expect(view.filter.createdAfter?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });

  it('opens the rest of a view when a part does not parse, and says which part', () => {
    const { view, ignored } = read(
      'status=CREATED&totalMin=12.5&currency=euro&createdAfter=yesterday&sort=PRICE&direction=UP',
    );
    expect(listViewParams(view).toString()).toBe('status=CREATED');
    expect(ignored.map((e) => e.field).sort()).toEqual([
      'createdAfter',
      'currency',
      'direction',
      'sort',
      'totalMin',
    ]);
  });

  it('drops a part that breaks a rule, so the API is never sent a query it refuses', () => {
    // Too short to search for; an upside-down range keeps its start.
    expect(listViewParams(read('search=ab&status=CREATED').view).toString()).toBe('status=CREATED');
    const range = read('totalMin=500&totalMax=100');
    expect(range.view.filter.totalMin).toBe(500);
    expect(range.view.filter.totalMax ?? null).toBeNull();
    expect(range.ignored.map((e) => e.field)).toEqual(['totalMax']);
    const dates = read('createdAfter=2026-02-01&createdBefore=2026-01-01');
    expect(listViewParams(dates.view).toString()).toBe('createdAfter=2026-02-01T00%3A00%3A00.000Z');
  });

  it('keeps a customer filter for admins only', () => {
    expect(read('customerId=c-1', true).view.filter.customerId).toBe('c-1');
    expect(read('customerId=c-1', false).view.filter.customerId ?? null).toBeNull();
  });

  it('puts statuses in lifecycle order, once each, so equal views share a URL', () => {
    const { view } = read('status=CANCELLED&status=CREATED&status=CREATED');
    expect(view.filter.status).toEqual(['CREATED', 'CANCELLED']);
  });
});

describe('ordersQueryVariables', () => {
  it('sends no filter and no search for the plain list, sorted newest first', () => {
    expect(ordersQueryVariables(DEFAULT_VIEW)).toEqual({
      search: null,
      filter: null,
      orderBy: { field: 'CREATED_AT', direction: 'DESC' },
    });
  });

  it('maps every part of the view to the contract’s OrderFilter and OrderOrder', () => {
    expect(ordersQueryVariables(FULL)).toEqual({
      search: 'blue mug',
      filter: {
        status: ['CREATED', 'CANCELLED'],
        createdAfter: '2026-01-01T00:00:00.000Z',
        createdBefore: '2026-02-01T00:00:00.000Z',
        totalMin: 1000,
        totalMax: 25000,
        currency: 'EUR',
      },
      orderBy: { field: 'TOTAL', direction: 'ASC' },
    });
  });

  it('treats an empty status list as no filter', () => {
    expect(ordersQueryVariables({ ...DEFAULT_VIEW, filter: { status: [] } }).filter).toBeNull();
  });
});

describe('search', () => {
  it('accepts an order number or text of three characters or more', () => {
    expect(searchProblem('')).toBeNull();
    expect(searchProblem('1042')).toBeNull();
    expect(searchProblem('#7')).toBeNull();
    expect(searchProblem('mug')).toBeNull();
  });

  it('gives the shared rule’s words for text too short to search for', () => {
    expect(searchProblem('ab')).toMatch(/at least 3 characters/);
    expect(searchProblem('  a  ')).toMatch(/at least 3 characters/);
  });

  it('trims the search and forgets a blank one', () => {
    expect(searchedFor(FULL, '  red ').search).toBe('red');
    expect(searchedFor(FULL, '   ').search).toBeNull();
  });
});

describe('sorting by column', () => {
  it('a new column sorts descending, the same column flips', () => {
    const byTotal = sortedBy(DEFAULT_VIEW, 'TOTAL');
    expect(byTotal.orderBy).toEqual({ field: 'TOTAL', direction: 'DESC' });
    expect(sortedBy(byTotal, 'TOTAL').orderBy.direction).toBe('ASC');
    expect(ariaSort(byTotal, 'TOTAL')).toBe('descending');
    expect(ariaSort(sortedBy(byTotal, 'TOTAL'), 'TOTAL')).toBe('ascending');
    expect(ariaSort(byTotal, 'NUMBER')).toBe('none');
    expect(ariaSort(DEFAULT_VIEW, 'CREATED_AT')).toBe('descending');
  });

  it('keeps the search and filters when the sort changes', () => {
    const next = sortedBy(FULL, 'NUMBER');
    expect(next.filter).toBe(FULL.filter);
    expect(next.search).toBe(FULL.search);
  });
});
