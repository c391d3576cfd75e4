import type { OrderStatus } from '@oms/order-lifecycle';
import type { Order } from './order.types.js';

// Orders as the API would answer them, for tests: each test names only what it is about.

/** Who makes each transition when nobody in particular is named. */
const ACTOR_OF: Record<OrderStatus, Order['history'][number]['actor']> = {
  CREATED: { kind: 'CUSTOMER', id: 'demo-customer' },
  CONFIRMED: { kind: 'PAYMENT_PROVIDER', id: null },
  DELIVERED: { kind: 'SYSTEM', id: null },
  CANCELLED: { kind: 'CUSTOMER', id: 'demo-customer' },
};

/**
 * The order after walking `path` through the lifecycle, a second apart from 2024-06-01T10:00Z;
 * history grows by one entry per step and a CANCELLED step carries the cancellation reason.
 * `fields` overrides anything else.
 */
export function orderFixture(path: readonly OrderStatus[], fields: Partial<Order> = {}): Order {
  const at = (i: number) => new Date(Date.UTC(2024, 5, 1, 10, 0, i)).toISOString();
  const status = path.at(-1) ?? 'CREATED';
  const reason = fields.cancellationReason ?? (status === 'CANCELLED' ? 'CUSTOMER_REQUEST' : null);
  return {
    id: '5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
    number: 1001,
    version: path.length,
    status,
    total: 1250,
    currency: 'USD',
    createdAt: at(0),
    updatedAt: at(Math.max(path.length - 1, 0)),
    cancellationReason: reason,
    customer: null,
    shippingAddress: null,
    items: [{ sku: 'SKU-1', name: 'Widget', quantity: 1, unitPrice: 1250 }],
    history: path.map((to, i) => ({
      from: path[i - 1] ?? null,
      to,
      at: at(i),
      reason: to === 'CANCELLED' ? reason : null,
      actor: ACTOR_OF[to],
    })),
    nextAction: null,
    notes: [],
    ...fields,
  };
}

/** The order with the `__typename`s Apollo's cache answers with (the app's types leave them out). */
export function withTypenames(order: Order): Order & { __typename: 'Order' } {
  return {
    ...order,
    __typename: 'Order',
    customer: order.customer && named('Customer', order.customer),
    shippingAddress: order.shippingAddress && named('Address', order.shippingAddress),
    items: order.items.map((item) => named('OrderItem', item)),
    history: order.history.map((entry) =>
      named('OrderTransition', { ...entry, actor: named('Actor', entry.actor) }),
    ),
    nextAction: order.nextAction && named('ScheduledAction', order.nextAction),
    notes: order.notes.map((note) =>
      named('OrderNote', { ...note, author: named('Actor', note.author) }),
    ),
  };
}

const named = <T extends object>(typename: string, value: T): T =>
  Object.assign({ __typename: typename }, value);
