import { compareOrders, orderMatchesQuery, type OrderQuery } from '@oms/order-lifecycle';
import { isSameOrNewer, type Order, type OrdersPage } from '../../lib/graphql/order.types.js';

/**
 * Applies one pushed order to a loaded list so that it equals what a reload would show for the
 * part already loaded: an order that no longer belongs in the view (`orderMatchesQuery`) leaves,
 * one that does takes its new state at the place the API's sort puts it (`compareOrders`: the
 * same place unless its sort key moved, as `updatedAt` does), and a new or newly matching order
 * is inserted there, unless that place is past the last loaded row and a page is still to come
 * (the next page brings it). Returns null when nothing changes.
 */
export function applyOrderToPage(
  page: OrdersPage,
  order: Order,
  view: OrderQuery,
): OrdersPage | null {
  const matches = orderMatchesQuery(order, view);
  const index = page.edges.findIndex((edge) => edge.node.id === order.id);
  const current = index >= 0 ? page.edges[index] : undefined;
  if (current !== undefined && !isSameOrNewer(order, current.node)) return null;
  if (current === undefined && !matches) return null;
  // The others, in the API's order; a loaded row keeps its cursor.
  const others = index >= 0 ? page.edges.filter((_, i) => i !== index) : page.edges;
  if (!matches) return { ...page, edges: others };
  // The loaded range ends at the last loaded row as the API sent it (this order's old state,
  // when it is that row); past it, with a page still to come, the next page brings the order.
  const last = page.edges.at(-1);
  const withinLoaded =
    !page.pageInfo.hasNextPage ||
    (last !== undefined && compareOrders(order, last.node, view.orderBy) <= 0);
  if (!withinLoaded) return current === undefined ? null : { ...page, edges: others };
  const edge = { cursor: current?.cursor ?? '', node: order };
  const position = others.findIndex((e) => compareOrders(order, e.node, view.orderBy) < 0);
  if (position < 0) return { ...page, edges: [...others, edge] };
  return { ...page, edges: [...others.slice(0, position), edge, ...others.slice(position)] };
}
