/**
 * What a list of orders may ask for (filter, search, sort) and how it reads in a URL, shared by
 * the API (the `orders` query and `GET /orders.csv`) and the SPA (its list view, its live
 * updates and its "Download CSV" link), so the three cannot disagree about what a view contains.
 */
import { isOrderStatus, ORDER_STATUSES, type OrderStatus } from './lifecycle.js';
import { MAX_INT32, type FieldError } from './order-rules.js';

export const ORDER_SORT_FIELDS = ['CREATED_AT', 'UPDATED_AT', 'TOTAL', 'NUMBER'] as const;
export type OrderSortField = (typeof ORDER_SORT_FIELDS)[number];
export const SORT_DIRECTIONS = ['ASC', 'DESC'] as const;
export type SortDirection = (typeof SORT_DIRECTIONS)[number];

export interface OrderSort {
  field: OrderSortField;
  direction: SortDirection;
}

/** Newest first: the list's order when none is asked for. */
export const DEFAULT_ORDER_SORT: OrderSort = { field: 'CREATED_AT', direction: 'DESC' };

/**
 * Which orders a list holds. `createdAfter` is inclusive and `createdBefore` exclusive, so
 * consecutive ranges neither overlap nor leave gaps; `totalMin` and `totalMax` (minor units) are
 * both inclusive. Absent, null or an empty status list: no condition.
 */
export interface OrderFilter {
  status?: readonly OrderStatus[] | null;
  createdAfter?: Date | null;
  createdBefore?: Date | null;
  totalMin?: number | null;
  totalMax?: number | null;
  currency?: string | null;
  /** Admins only. */
  customerId?: string | null;
}

export interface OrderQuery {
  filter: OrderFilter;
  /** As typed; `parseOrderSearch` says what it looks for. */
  search: string | null;
  orderBy: OrderSort;
}

export const EMPTY_ORDER_QUERY: OrderQuery = {
  filter: {},
  search: null,
  orderBy: DEFAULT_ORDER_SORT,
};

export const SEARCH_LIMITS = {
  /** Shorter text cannot use the trigram index and matches too much to be useful. */
  minTextLength: 3,
  maxLength: 200,
  maxCustomerIdLength: 255,
} as const;

/** An order number (`1042` or `#1042`), or text to find inside SKUs, item names and the customer. */
export type OrderSearch = { kind: 'number'; number: number } | { kind: 'text'; text: string };

const NUMBER_SEARCH = /^#?\s*(\d+)$/;
const CURRENCY = /^[A-Z]{3}$/;

/**
 * What a search looks for; null when there is nothing to search for (absent or blank). Text is
 * trimmed and lower-cased, as `orderSearchText` stores it. Check `validateOrderQuery` first: this
 * does not refuse anything.
 */
export function parseOrderSearch(search: string | null | undefined): OrderSearch | null {
  const trimmed = search?.trim() ?? '';
  if (trimmed === '') return null;
  const number = NUMBER_SEARCH.exec(trimmed);
  if (number !== null) return { kind: 'number', number: Number(number[1]) };
  return { kind: 'text', text: trimmed.toLowerCase() };
}

/** The parts of an order a search looks in. */
export interface SearchableOrder {
  customer?: { name: string; email: string } | null;
  items: readonly { sku: string; name: string }[];
}

/**
 * The text a search looks in: customer name and email, then each item's SKU and name, lower-cased,
 * one per line so a match never spans two of them. Stored with each order (and indexed there).
 */
export function orderSearchText(order: SearchableOrder): string {
  const parts: string[] = [];
  if (order.customer) parts.push(order.customer.name, order.customer.email);
  for (const item of order.items) parts.push(item.sku, item.name);
  return parts.join('\n').toLowerCase();
}

/** Where each part of a query is named: in GraphQL arguments, or in URL query parameters. */
export type QueryNaming = 'graphql' | 'url';

const GRAPHQL_NAMES = {
  status: 'filter.status',
  createdAfter: 'filter.createdAfter',
  createdBefore: 'filter.createdBefore',
  totalMin: 'filter.totalMin',
  totalMax: 'filter.totalMax',
  currency: 'filter.currency',
  customerId: 'filter.customerId',
  search: 'search',
  sort: 'orderBy.field',
  direction: 'orderBy.direction',
} as const;

type QueryPart = keyof typeof GRAPHQL_NAMES;

/** The URL query parameters of a list (those of `GET /orders.csv` and of the SPA's list). */
export const ORDER_QUERY_PARAMS = [
  'search',
  'status',
  'createdAfter',
  'createdBefore',
  'totalMin',
  'totalMax',
  'currency',
  'customerId',
  'sort',
  'direction',
] as const satisfies readonly QueryPart[];

function nameOf(part: QueryPart, naming: QueryNaming): string {
  return naming === 'graphql' ? GRAPHQL_NAMES[part] : part;
}

function isInstant(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime());
}

function checkTotal(errors: FieldError[], field: string, value: unknown): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_INT32) {
    errors.push({ field, message: `must be a whole number of minor units, 0 to ${MAX_INT32}` });
  }
}

/**
 * Every rule a list query breaks, each naming its part as the caller wrote it (`filter.totalMin`
 * in GraphQL, `totalMin` in a URL); empty when the query may run. `admin`: whether the caller may
 * filter by customer.
 */
export function validateOrderQuery(
  query: OrderQuery,
  options: { admin: boolean; naming: QueryNaming },
): FieldError[] {
  const errors: FieldError[] = [];
  const name = (part: QueryPart) => nameOf(part, options.naming);
  const { filter, search, orderBy } = query;
  for (const status of filter.status ?? []) {
    if (!isOrderStatus(status)) {
      errors.push({
        field: name('status'),
        message: `must be one of ${ORDER_STATUSES.join(', ')}`,
      });
      break;
    }
  }
  const { createdAfter: after, createdBefore: before } = filter;
  for (const [part, value] of [
    ['createdAfter', after],
    ['createdBefore', before],
  ] as const) {
    if (value !== undefined && value !== null && !isInstant(value)) {
      errors.push({ field: name(part), message: 'must be an ISO 8601 date-time' });
    }
  }
  if (isInstant(after) && isInstant(before) && before.getTime() <= after.getTime()) {
    errors.push({
      field: name('createdBefore'),
      message: `must be later than ${name('createdAfter')}`,
    });
  }
  checkTotal(errors, name('totalMin'), filter.totalMin);
  checkTotal(errors, name('totalMax'), filter.totalMax);
  const { totalMin: min, totalMax: max } = filter;
  if (typeof min === 'number' && typeof max === 'number' && errors.length === 0 && max < min) {
    errors.push({ field: name('totalMax'), message: `must not be less than ${name('totalMin')}` });
  }
  const currency = filter.currency;
  if (currency !== undefined && currency !== null && !CURRENCY.test(currency)) {
    errors.push({
      field: name('currency'),
      message: 'must be an ISO 4217 code in upper case (USD, EUR, ...)',
    });
  }
  const customerId = filter.customerId;
  if (customerId !== undefined && customerId !== null) {
    if (!options.admin) {
      errors.push({ field: name('customerId'), message: 'only admins may filter by customer' });
    } else if (
      customerId.trim() === '' ||
      customerId.length > SEARCH_LIMITS.maxCustomerIdLength ||
      customerId.includes('\u0000')
    ) {
      errors.push({
        field: name('customerId'),
        message: `must be a customer id of 1 to ${SEARCH_LIMITS.maxCustomerIdLength} characters`,
      });
    }
  }
  if (search !== null) {
    const parsed = parseOrderSearch(search);
    if (search.length > SEARCH_LIMITS.maxLength) {
      errors.push({
        field: name('search'),
        message: `must be at most ${SEARCH_LIMITS.maxLength} characters`,
      });
    } else if (/\p{Cc}/u.test(search)) {
      errors.push({ field: name('search'), message: 'must not contain control characters' });
    } else if (parsed?.kind === 'text' && parsed.text.length < SEARCH_LIMITS.minTextLength) {
      errors.push({
        field: name('search'),
        message: `must be an order number (1042 or #1042) or at least ${SEARCH_LIMITS.minTextLength} characters`,
      });
    }
  }
  if (!(ORDER_SORT_FIELDS as readonly string[]).includes(orderBy.field)) {
    errors.push({ field: name('sort'), message: `must be one of ${ORDER_SORT_FIELDS.join(', ')}` });
  }
  if (!(SORT_DIRECTIONS as readonly string[]).includes(orderBy.direction)) {
    errors.push({ field: name('direction'), message: 'must be ASC or DESC' });
  }
  return errors;
}

/** The parts of an order a list query looks at. */
export interface QueryableOrder extends SearchableOrder {
  id: string;
  number: number;
  status: OrderStatus;
  total: number;
  currency: string;
  createdAt: Date | string;
  updatedAt: Date | string;
  /** Absent: not known here, so a customer filter does not exclude it. */
  customerId?: string;
}

const time = (value: Date | string) => (value instanceof Date ? value : new Date(value)).getTime();

/** Whether an order belongs in a list: what the API's statement selects, for one order. */
export function orderMatchesQuery(order: QueryableOrder, query: OrderQuery): boolean {
  const f = query.filter;
  if (f.status && f.status.length > 0 && !f.status.includes(order.status)) return false;
  const created = time(order.createdAt);
  if (f.createdAfter && created < f.createdAfter.getTime()) return false;
  if (f.createdBefore && created >= f.createdBefore.getTime()) return false;
  if (typeof f.totalMin === 'number' && order.total < f.totalMin) return false;
  if (typeof f.totalMax === 'number' && order.total > f.totalMax) return false;
  if (f.currency && order.currency !== f.currency) return false;
  if (f.customerId && order.customerId !== undefined && order.customerId !== f.customerId) {
    return false;
  }
  const search = parseOrderSearch(query.search);
  if (search?.kind === 'number') return order.number === search.number;
  if (search?.kind === 'text') return orderSearchText(order).includes(search.text);
  return true;
}

/** The sort key of an order for a field. */
function sortKey(order: QueryableOrder, field: OrderSortField): number {
  switch (field) {
    case 'CREATED_AT':
      return time(order.createdAt);
    case 'UPDATED_AT':
      return time(order.updatedAt);
    case 'TOTAL':
      return order.total;
    case 'NUMBER':
      return order.number;
  }
}

/**
 * Orders compared as the list sorts them: by the field, ties by id in the same direction (as the
 * API's statement and cursors do).
 */
export function compareOrders(a: QueryableOrder, b: QueryableOrder, sort: OrderSort): number {
  const byKey = sortKey(a, sort.field) - sortKey(b, sort.field);
  const order = byKey !== 0 ? byKey : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  return sort.direction === 'ASC' ? order : -order;
}

const DATE_TIME =
  /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/;

/** Minor units as a URL writes them: digits only. */
const WHOLE = /^\d{1,10}$/;

/**
 * Reads a list query from URL parameters (`status` repeated; dates ISO 8601, a bare date meaning
 * its midnight UTC; totals in minor units). Each value that does not parse is an error naming its
 * parameter and is left at its default in `query`, so a strict reader (the CSV export) refuses
 * and a lenient one (a hand-edited link in the SPA) still opens the rest of the view. Unknown
 * parameters are errors too. Range rules are `validateOrderQuery`'s.
 */
export function orderQueryFromSearchParams(params: URLSearchParams): {
  query: OrderQuery;
  errors: FieldError[];
} {
  const errors: FieldError[] = [];
  const filter: OrderFilter = {};
  const known: readonly string[] = ORDER_QUERY_PARAMS;
  for (const key of new Set(params.keys())) {
    if (!known.includes(key)) {
      errors.push({ field: key, message: `is not a parameter of this list (${known.join(', ')})` });
    } else if (key !== 'status' && params.getAll(key).length > 1) {
      errors.push({ field: key, message: 'must be given once' });
    }
  }
  const statuses = params.getAll('status');
  if (statuses.length > 0) {
    const bad = statuses.find((s) => !isOrderStatus(s));
    if (bad !== undefined) {
      errors.push({ field: 'status', message: `must be one of ${ORDER_STATUSES.join(', ')}` });
    } else {
      // In lifecycle order, each once, so equal views have equal URLs.
      filter.status = ORDER_STATUSES.filter((s) => statuses.includes(s));
    }
  }
  for (const part of ['createdAfter', 'createdBefore'] as const) {
    const value = params.get(part);
    if (value === null) continue;
    const instant = new Date(value);
    if (!DATE_TIME.test(value) || Number.isNaN(instant.getTime())) {
      errors.push({ field: part, message: 'must be an ISO 8601 date or date-time' });
    } else {
      filter[part] = instant;
    }
  }
  for (const part of ['totalMin', 'totalMax'] as const) {
    const value = params.get(part);
    if (value === null) continue;
    if (!WHOLE.test(value) || Number(value) > MAX_INT32) {
      errors.push({
        field: part,
        message: `must be a whole number of minor units, 0 to ${MAX_INT32}`,
      });
    } else {
      filter[part] = Number(value);
    }
  }
  const currency = params.get('currency');
  if (currency !== null) filter.currency = currency;
  const customerId = params.get('customerId');
  if (customerId !== null) filter.customerId = customerId;
  const sort = params.get('sort');
  const direction = params.get('direction');
  const orderBy = { ...DEFAULT_ORDER_SORT };
  if (sort !== null) {
    const field = ORDER_SORT_FIELDS.find((f) => f === sort);
    if (field === undefined) {
      errors.push({ field: 'sort', message: `must be one of ${ORDER_SORT_FIELDS.join(', ')}` });
    } else {
      orderBy.field = field;
    }
  }
  if (direction !== null) {
    if (direction === 'ASC' || direction === 'DESC') orderBy.direction = direction;
    else errors.push({ field: 'direction', message: 'must be ASC or DESC' });
  }
  const search = params.get('search');
  return {
    query: { filter, search: search === null || search === '' ? null : search, orderBy },
    errors,
  };
}

/** A list query as URL parameters; what is at its default is left out, so the plain list is bare. */
export function orderQueryToSearchParams(query: OrderQuery): URLSearchParams {
  const params = new URLSearchParams();
  const { filter, search, orderBy } = query;
  if (search !== null && search.trim() !== '') params.set('search', search);
  for (const status of ORDER_STATUSES) {
    if (filter.status?.includes(status)) params.append('status', status);
  }
  if (filter.createdAfter) params.set('createdAfter', filter.createdAfter.toISOString());
  if (filter.createdBefore) params.set('createdBefore', filter.createdBefore.toISOString());
  if (typeof filter.totalMin === 'number') params.set('totalMin', String(filter.totalMin));
  if (typeof filter.totalMax === 'number') params.set('totalMax', String(filter.totalMax));
  if (filter.currency) params.set('currency', filter.currency);
  if (filter.customerId) params.set('customerId', filter.customerId);
  if (
    orderBy.field !== DEFAULT_ORDER_SORT.field ||
    orderBy.direction !== DEFAULT_ORDER_SORT.direction
  ) {
    params.set('sort', orderBy.field);
    params.set('direction', orderBy.direction);
  }
  return params;
}

/**
 * One canonical text per distinct query (blank search and empty status list count as none), for
 * binding a page cursor to the query it came from.
 */
export function canonicalOrderQuery(query: OrderQuery): string {
  const search = parseOrderSearch(query.search);
  const params = orderQueryToSearchParams({ ...query, search: null });
  params.delete('sort');
  params.delete('direction');
  params.set('sort', query.orderBy.field);
  params.set('direction', query.orderBy.direction);
  if (search !== null) {
    params.set('search', search.kind === 'number' ? `#${search.number}` : search.text);
  }
  params.sort();
  return params.toString();
}
