import type { OrderStatus } from '@oms/order-lifecycle';
import { isSameOrNewer, type Order, type OrdersPage } from '../../lib/graphql/order.types.js';

/** The list's order, as the API sorts it: newest first, ties broken by id. */
function comesBefore(a: Order, b: Order): boolean {
  if (a.createdAt !== b.createdAt) return Date.parse(a.createdAt) > Date.parse(b.createdAt);
  return a.id > b.id;
}

/**
 * Applies one pushed order to a loaded list so that it equals what a reload would show for the
 * part already loaded: a row takes the new state, leaves when it no longer matches the status
 * filter, and a new or newly matching order is placed where the API's sort puts it (unless it
 * belongs to a page not loaded yet). Returns null when nothing changes.
 */
export function applyOrderToPage(
  page: OrdersPage,
  order: Order,
  filter: OrderStatus | null,
): OrdersPage | null {
  const matches = filter === null || order.status === filter;
  const index = page.edges.findIndex((edge) => edge.node.id === order.id);
  if (index >= 0) {
    const current = page.edges[index];
    if (current === undefined || !isSameOrNewer(order, current.node)) return null;
    const edges = matches
      ? page.edges.map((edge, i) => (i === index ? { ...edge, node: order } : edge))
      : page.edges.filter((_, i) => i !== index);
    return { ...page, edges };
  }
  if (!matches) return null;
  const position = page.edges.findIndex((edge) => comesBefore(order, edge.node));
  if (position < 0) {
    // Older than every loaded row: it is on a later page, unless there is none.
    if (page.pageInfo.hasNextPage) return null;
    return { ...page, edges: [...page.edges, { cursor: '', node: order }] };
  }
  const edges = [...page.edges];
  edges.splice(position, 0, { cursor: '', node: order });
  return { ...page, edges };
}
