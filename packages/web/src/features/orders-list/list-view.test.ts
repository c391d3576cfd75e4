// @vitest-environment node
import { describe, expect, it } from 'vitest';
import {
  ariaSort,
  DEFAULT_VIEW,
  parseListView,
  sortedBy,
  toQueryArgs,
  toSearchParams,
  type ListView,
} from './list-view.js';

const FULL: ListView = {
  search: 'blue mug',
  statuses: ['CREATED', 'CANCELLED'],
  createdAfter: '2026-01-01T00:00:00.000Z',
  createdBefore: '2026-02-01T00:00:00.000Z',
  totalMin: 1000,
  totalMax: 25000,
  currency: 'EUR',
  sort: 'TOTAL',
  direction: 'ASC',
};

describe('URL state', () => {
  it('leaves the default view out of the URL', () => {
    expect(toSearchParams(DEFAULT_VIEW).toString()).toBe('');
    expect(parseListView(new URLSearchParams())).toEqual(DEFAULT_VIEW);
  });

  it('writes every part with the CSV endpoint’s parameter names, status repeated', () => {
    expect(toSearchParams(FULL).toString()).toBe(
      'search=blue+mug&status=CREATED&status=CANCELLED' +
        '&createdAfter=2026-01-01T00%3A00%3A00.000Z&createdBefore=2026-02-01T00%3A00%3A00.000Z' +
        '&totalMin=1000&totalMax=25000&currency=EUR&sort=TOTAL&direction=ASC',
    );
  });

  it('reads back what it wrote', () => {
    expect(parseListView(toSearchParams(FULL))).toEqual(FULL);
  });

  it('drops values that do not parse instead of failing the page', () => {
    const view = parseListView(
      new URLSearchParams(
        'status=SHIPPED&status=CREATED&totalMin=12.5&totalMax=-3&currency=euro' +
          '&createdAfter=yesterday&sort=PRICE&direction=UP',
      ),
    );
    expect(view).toEqual({ ...DEFAULT_VIEW, statuses: ['CREATED'] });
  });

  it('puts statuses in lifecycle order, once each, so equal views share a URL', () => {
    const view = parseListView(
      new URLSearchParams('status=CANCELLED&status=CREATED&status=CREATED'),
    );
    expect(view.statuses).toEqual(['CREATED', 'CANCELLED']);
  });
});

describe('toQueryArgs', () => {
  it('sends no filter and no search for the plain list, sorted newest first', () => {
    expect(toQueryArgs(DEFAULT_VIEW)).toEqual({
      search: null,
      filter: null,
      orderBy: { field: 'CREATED_AT', direction: 'DESC' },
    });
  });

  it('maps every part of the view to the contract’s OrderFilter and OrderOrder', () => {
    expect(toQueryArgs(FULL)).toEqual({
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
});

describe('sorting by column', () => {
  it('a new column sorts descending, the same column flips', () => {
    const byTotal = sortedBy(DEFAULT_VIEW, 'TOTAL');
    expect([byTotal.sort, byTotal.direction]).toEqual(['TOTAL', 'DESC']);
    expect(sortedBy(byTotal, 'TOTAL').direction).toBe('ASC');
    expect(ariaSort(byTotal, 'TOTAL')).toBe('descending');
    expect(ariaSort(sortedBy(byTotal, 'TOTAL'), 'TOTAL')).toBe('ascending');
    expect(ariaSort(byTotal, 'NUMBER')).toBe('none');
  });
});
