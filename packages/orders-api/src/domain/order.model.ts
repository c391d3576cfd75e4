import type {
  ActorKind,
  NoteVisibility,
  OrderStatus,
  ScheduledActionKind,
} from '@oms/order-lifecycle';

/** One line of an order; money in minor units of the order's currency. */
export interface OrderItemView {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

/** Who did something to an order; `id` is a person's token `sub`, null for the system. */
export interface ActorView {
  kind: ActorKind;
  id: string | null;
}

/** Who ordered, as given at creation. */
export interface CustomerView {
  name: string;
  email: string;
}

/** Where an order is shipped, as given at creation; `country` is ISO 3166-1 alpha-2. */
export interface AddressView {
  line1: string;
  line2: string | null;
  city: string;
  postalCode: string;
  region: string | null;
  country: string;
}

/** A note on an order. */
export interface NoteView {
  id: string;
  text: string;
  visibility: NoteVisibility;
  author: ActorView;
  createdAt: Date;
}

/**
 * The background work pending on an order: when it is due (while a worker holds it, when its
 * lease runs out), how many attempts it has had, and why the last one failed.
 */
export interface ScheduledActionView {
  kind: ScheduledActionKind;
  dueAt: Date;
  attempts: number;
  lastError: string | null;
}

/** One entry of an order's history; `from` is null for the creation. */
export interface OrderTransitionView {
  from: OrderStatus | null;
  to: OrderStatus;
  at: Date;
  reason: string | null;
  actor: ActorView;
}

/** An order as the API shows it. */
export interface OrderView {
  id: string;
  /** The number people use for it, from 1001 on. */
  number: number;
  /** Transitions so far (1 once created). */
  version: number;
  status: OrderStatus;
  items: OrderItemView[];
  total: number;
  currency: string;
  /** Whose order it is: the `sub` of the token that created it, or the demo customer. */
  customerId: string;
  createdAt: Date;
  updatedAt: Date;
  cancellationReason: string | null;
  customer: CustomerView | null;
  shippingAddress: AddressView | null;
  /** Null when nothing is pending. */
  nextAction: ScheduledActionView | null;
  history: OrderTransitionView[];
}

/**
 * The order as it was right after its `version`-th transition. Items, total and currency never
 * change, so the history alone rebuilds every state; a subscriber gets each state in turn even
 * when later transitions have already committed by the time the event is read.
 */
export function orderAtVersion(order: OrderView, version: number): OrderView | null {
  const history = order.history.slice(0, version);
  const last = history[history.length - 1];
  if (last === undefined || history.length !== version) return null;
  return {
    ...order,
    history,
    version,
    // The pending work is known only for the order as it is now, not as it was.
    nextAction: version === order.version ? order.nextAction : null,
    status: last.to,
    updatedAt: last.at,
    cancellationReason: last.to === 'CANCELLED' ? last.reason : null,
  };
}

/** A committed status change; `from` is null for a new order. */
export interface TransitionRecord {
  from: OrderStatus | null;
  to: OrderStatus;
}
