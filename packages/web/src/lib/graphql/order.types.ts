import type { OrderStatus } from '@oms/order-lifecycle';

/** An order as the SPA reads it (the `OrderFields` fragment). */
export interface Order {
  __typename?: 'Order';
  id: string;
  status: OrderStatus;
  total: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  cancellationReason: string | null;
  items: OrderItem[];
  history: OrderTransition[];
}

export interface OrderItem {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

export interface OrderTransition {
  from: OrderStatus | null;
  to: OrderStatus;
  at: string;
  reason: string | null;
}

export interface OrderItemInput {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

export interface CreateOrderInput {
  items: OrderItemInput[];
  currency: string;
  paymentToken?: string | null;
  idempotencyKey?: string | null;
}

export interface OrdersPage {
  edges: { cursor: string; node: Order }[];
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * Whether `incoming` is at least as far along as `current`. Every transition adds one history
 * entry, so the longer history is the later state; an event that arrives after a fresher read
 * (or a read that raced an event) never moves the screen backwards.
 */
export function isSameOrNewer(incoming: Order, current: Order | null | undefined): boolean {
  return current == null || incoming.history.length >= current.history.length;
}
