import type {
  AddressInput,
  CreateOrderInput,
  CustomerInput,
  NoteVisibility,
  OrderFieldsFragment,
  OrderItemInput,
  OrdersQuery,
} from './generated/graphql.js';

// Generated from orders-api's schema (see order.documents.ts): the names the SPA uses for them.

/** An order as the SPA reads it (the `OrderFields` fragment). */
export type Order = OrderFieldsFragment;

/** One page of the orders list, as the `Orders` query answers it. */
export type OrdersPage = OrdersQuery['orders'];

/** A note on an order, as the order and `addOrderNote` answer it. */
export type OrderNote = OrderFieldsFragment['notes'][number];

export type { AddressInput, CreateOrderInput, CustomerInput, NoteVisibility, OrderItemInput };

/**
 * Whether `incoming` is at least as far along as `current`. Every transition adds one history
 * entry, so the longer history is the later state; an event that arrives after a fresher read
 * (or a read that raced an event) never moves the screen backwards.
 */
export function isSameOrNewer(incoming: Order, current: Order | null | undefined): boolean {
  return current == null || incoming.history.length >= current.history.length;
}
