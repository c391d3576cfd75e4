import { isOrderStatus, ORDER_STATUSES, type OrderStatus } from '@oms/order-lifecycle';

/**
 * What the orders list shows, held in the URL's query string so a reload or a shared link shows
 * the same view. The parameter names are those of `GET /orders.csv`, so "Download CSV" sends
 * the page's own query string.
 */
export const SORT_FIELDS = ['CREATED_AT', 'UPDATED_AT', 'TOTAL', 'NUMBER'] as const;
export type SortField = (typeof SORT_FIELDS)[number];
export type SortDirection = 'ASC' | 'DESC';

export interface ListView {
  search: string;
  statuses: OrderStatus[];
  /** ISO 8601 instants (UTC). */
  createdAfter: string | null;
  createdBefore: string | null;
  /** Minor units. */
  totalMin: number | null;
  totalMax: number | null;
  /** ISO 4217. */
  currency: string | null;
  sort: SortField;
  direction: SortDirection;
}

/** Newest first, as the API answers without `orderBy`. */
export const DEFAULT_VIEW: ListView = {
  search: '',
  statuses: [],
  createdAfter: null,
  createdBefore: null,
  totalMin: null,
  totalMax: null,
  currency: null,
  sort: 'CREATED_AT',
  direction: 'DESC',
};

function instant(value: string | null): string | null {
  if (value === null || value.trim() === '') return null;
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function minorUnits(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Reads a view from a query string. A value that does not parse is left out rather than
 * refused: a hand-edited or outdated link still opens the list, with that part at its default.
 */
export function parseListView(params: URLSearchParams): ListView {
  const sort = params.get('sort');
  const direction = params.get('direction');
  const currency = params.get('currency')?.trim().toUpperCase() ?? '';
  const statuses = params.getAll('status').filter(isOrderStatus);
  return {
    search: params.get('search')?.trim() ?? '',
    // In lifecycle order, each once, so equal views have equal URLs.
    statuses: ORDER_STATUSES.filter((s) => statuses.includes(s)),
    createdAfter: instant(params.get('createdAfter')),
    createdBefore: instant(params.get('createdBefore')),
    totalMin: minorUnits(params.get('totalMin')),
    totalMax: minorUnits(params.get('totalMax')),
    currency: /^[A-Z]{3}$/.test(currency) ? currency : null,
    sort: SORT_FIELDS.find((f) => f === sort) ?? DEFAULT_VIEW.sort,
    direction: direction === 'ASC' || direction === 'DESC' ? direction : DEFAULT_VIEW.direction,
  };
}

/** The view as a query string; defaults are left out, so the plain list is plain `/orders`. */
export function toSearchParams(view: ListView): URLSearchParams {
  const params = new URLSearchParams();
  if (view.search !== '') params.set('search', view.search);
  for (const status of view.statuses) params.append('status', status);
  if (view.createdAfter !== null) params.set('createdAfter', view.createdAfter);
  if (view.createdBefore !== null) params.set('createdBefore', view.createdBefore);
  if (view.totalMin !== null) params.set('totalMin', String(view.totalMin));
  if (view.totalMax !== null) params.set('totalMax', String(view.totalMax));
  if (view.currency !== null) params.set('currency', view.currency);
  if (view.sort !== DEFAULT_VIEW.sort || view.direction !== DEFAULT_VIEW.direction) {
    params.set('sort', view.sort);
    params.set('direction', view.direction);
  }
  return params;
}

/** The `orders` query's arguments for a view (the contract's OrderFilter and OrderOrder). */
export interface OrdersQueryArgs {
  search: string | null;
  filter: {
    status?: OrderStatus[];
    createdAfter?: string;
    createdBefore?: string;
    totalMin?: number;
    totalMax?: number;
    currency?: string;
  } | null;
  orderBy: { field: SortField; direction: SortDirection };
}

export function toQueryArgs(view: ListView): OrdersQueryArgs {
  const filter: NonNullable<OrdersQueryArgs['filter']> = {};
  if (view.statuses.length > 0) filter.status = view.statuses;
  if (view.createdAfter !== null) filter.createdAfter = view.createdAfter;
  if (view.createdBefore !== null) filter.createdBefore = view.createdBefore;
  if (view.totalMin !== null) filter.totalMin = view.totalMin;
  if (view.totalMax !== null) filter.totalMax = view.totalMax;
  if (view.currency !== null) filter.currency = view.currency;
  return {
    search: view.search === '' ? null : view.search,
    filter: Object.keys(filter).length === 0 ? null : filter,
    orderBy: { field: view.sort, direction: view.direction },
  };
}

/** The view a click on a column header asks for: that column, or the other direction of it. */
export function sortedBy(view: ListView, field: SortField): ListView {
  if (view.sort === field) {
    return { ...view, direction: view.direction === 'ASC' ? 'DESC' : 'ASC' };
  }
  // Numbers, totals and times read most usefully largest / latest first.
  return { ...view, sort: field, direction: 'DESC' };
}

/** `aria-sort` for a column header. */
export function ariaSort(view: ListView, field: SortField): 'ascending' | 'descending' | 'none' {
  if (view.sort !== field) return 'none';
  return view.direction === 'ASC' ? 'ascending' : 'descending';
}
