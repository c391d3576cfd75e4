import {
  EMPTY_ORDER_QUERY,
  orderQueryFromSearchParams,
  orderQueryToSearchParams,
  validateOrderQuery,
  type FieldError,
  type OrderQuery,
  type OrderSortField,
} from '@oms/order-lifecycle';
import type { OrdersQueryVariables } from '../../lib/graphql/generated/graphql.js';

/**
 * What the orders list shows: the shared `OrderQuery`, held in the URL's query string with the
 * parameters of `GET /orders.csv` (`orderQueryToSearchParams`), so a reload or a shared link
 * shows the same view and "Download CSV" sends the page's own parameters.
 */
export type ListView = OrderQuery;

export const DEFAULT_VIEW: ListView = EMPTY_ORDER_QUERY;

/** The URL parameter each part of a view is read from, and how to drop that part. */
const DROP: Record<string, (view: ListView) => ListView> = {
  search: (v) => ({ ...v, search: null }),
  status: (v) => ({ ...v, filter: { ...v.filter, status: null } }),
  createdAfter: (v) => ({ ...v, filter: { ...v.filter, createdAfter: null } }),
  createdBefore: (v) => ({ ...v, filter: { ...v.filter, createdBefore: null } }),
  totalMin: (v) => ({ ...v, filter: { ...v.filter, totalMin: null } }),
  totalMax: (v) => ({ ...v, filter: { ...v.filter, totalMax: null } }),
  currency: (v) => ({ ...v, filter: { ...v.filter, currency: null } }),
  customerId: (v) => ({ ...v, filter: { ...v.filter, customerId: null } }),
  sort: (v) => ({ ...v, orderBy: DEFAULT_VIEW.orderBy }),
  direction: (v) => ({ ...v, orderBy: DEFAULT_VIEW.orderBy }),
};

/** Whether the view is the plain list (nothing searched or filtered, newest first). */
export function isDefaultView(view: ListView): boolean {
  return orderQueryToSearchParams(view).size === 0;
}

/**
 * Reads the view from the page's query string, leniently: a part that does not parse or breaks
 * a rule (a hand-edited or outdated link) is left at its default and reported in `ignored`,
 * so the rest of the view still opens and the API is never sent a query it would refuse.
 * `admin`: whether the user may filter by customer.
 */
export function readListView(
  params: URLSearchParams,
  options: { admin: boolean },
): { view: ListView; ignored: FieldError[] } {
  const parsed = orderQueryFromSearchParams(params);
  let view = parsed.query;
  const ignored = [...parsed.errors];
  // Dropping a part can only clear rules (a range needs both ends), so this ends.
  for (;;) {
    const errors = validateOrderQuery(view, { admin: options.admin, naming: 'url' });
    const error = errors[0];
    if (error === undefined) break;
    ignored.push(error);
    const drop = DROP[error.field];
    if (drop === undefined) break;
    view = drop(view);
  }
  return { view, ignored };
}

/** The query string of a view; the plain list has none. */
export function listViewParams(view: ListView): URLSearchParams {
  return orderQueryToSearchParams(view);
}

/** The `orders` query's filter, search and orderBy for a view; absent parts are left null. */
export function ordersQueryVariables(
  view: ListView,
): Required<Pick<OrdersQueryVariables, 'filter' | 'search' | 'orderBy'>> {
  const f = view.filter;
  const filter: NonNullable<OrdersQueryVariables['filter']> = {};
  if (f.status != null && f.status.length > 0) filter.status = [...f.status];
  if (f.createdAfter != null) filter.createdAfter = f.createdAfter.toISOString();
  if (f.createdBefore != null) filter.createdBefore = f.createdBefore.toISOString();
  if (f.totalMin != null) filter.totalMin = f.totalMin;
  if (f.totalMax != null) filter.totalMax = f.totalMax;
  if (f.currency != null) filter.currency = f.currency;
  if (f.customerId != null) filter.customerId = f.customerId;
  const search = view.search?.trim() ?? '';
  return {
    filter: Object.keys(filter).length === 0 ? null : filter,
    search: search === '' ? null : search,
    orderBy: { ...view.orderBy },
  };
}

/** Why a search box's text cannot be searched for (the shared rule's words), or null. */
export function searchProblem(text: string): string | null {
  if (text.trim() === '') return null;
  const errors = validateOrderQuery(
    { ...DEFAULT_VIEW, search: text },
    { admin: false, naming: 'url' },
  );
  return errors.find((e) => e.field === 'search')?.message ?? null;
}

/** The view with another search (blank: none), back at the first page. */
export function searchedFor(view: ListView, text: string): ListView {
  const search = text.trim();
  return { ...view, search: search === '' ? null : search };
}

/** The view a click on a column header asks for: that column, or the other direction of it. */
export function sortedBy(view: ListView, field: OrderSortField): ListView {
  if (view.orderBy.field === field) {
    return {
      ...view,
      orderBy: { field, direction: view.orderBy.direction === 'ASC' ? 'DESC' : 'ASC' },
    };
  }
  // Numbers, totals and times read most usefully largest / latest first.
  return { ...view, orderBy: { field, direction: 'DESC' } };
}

/** `aria-sort` for a column header. */
export function ariaSort(
  view: ListView,
  field: OrderSortField,
): 'ascending' | 'descending' | 'none' {
  if (view.orderBy.field !== field) return 'none';
  return view.orderBy.direction === 'ASC' ? 'ascending' : 'descending';
}
