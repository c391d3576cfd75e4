/**
 * The order lifecycle as plain data plus a few pure functions over it.
 * The API enforces it (its guarded SQL updates are built from `ORDER_TRANSITIONS`),
 * the SPA reads it to decide which actions to offer.
 */

/** Every state an order can be in. */
export const ORDER_STATUSES = ['CREATED', 'CONFIRMED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The state every order starts in. */
export const INITIAL_STATUS: OrderStatus = 'CREATED';

/** States an order never leaves. */
export const FINAL_STATUSES: readonly OrderStatus[] = ['DELIVERED', 'CANCELLED'];

/** Why an order was cancelled, when the system (not the customer) decided it. */
export const CANCELLATION_REASONS = {
  CUSTOMER_REQUEST: 'CUSTOMER_REQUEST',
  PAYMENT_DECLINED: 'PAYMENT_DECLINED',
  PAYMENT_FAILED: 'PAYMENT_FAILED',
} as const;

/** What can happen to an order. */
export const ORDER_EVENTS = [
  'PAYMENT_CONFIRMED',
  'PAYMENT_DECLINED',
  'PAYMENT_FAILED',
  'DELIVERY_DUE',
  'CANCEL_REQUESTED',
] as const;
export type OrderEvent = (typeof ORDER_EVENTS)[number];

/**
 * Durable work that a transition leaves behind for the background worker.
 * RELEASE_PAYMENT makes sure no money stays captured for the order: it refunds a confirmed
 * payment, and voids a payment call whose answer is unknown so a late charge is refused.
 */
export const FOLLOW_UPS = ['PAY', 'DELIVER', 'RELEASE_PAYMENT'] as const;
export type FollowUp = (typeof FOLLOW_UPS)[number];

export interface TransitionRule {
  readonly from: readonly OrderStatus[];
  readonly to: OrderStatus;
  /** Reason recorded when the caller gives none. */
  readonly defaultReason?: string;
}

/** The lifecycle: for each event, the states it may leave and the state it leads to. */
export const ORDER_TRANSITIONS = {
  PAYMENT_CONFIRMED: { from: ['CREATED'], to: 'CONFIRMED' },
  PAYMENT_DECLINED: {
    from: ['CREATED'],
    to: 'CANCELLED',
    defaultReason: CANCELLATION_REASONS.PAYMENT_DECLINED,
  },
  PAYMENT_FAILED: {
    from: ['CREATED'],
    to: 'CANCELLED',
    defaultReason: CANCELLATION_REASONS.PAYMENT_FAILED,
  },
  DELIVERY_DUE: { from: ['CONFIRMED'], to: 'DELIVERED' },
  CANCEL_REQUESTED: {
    from: ['CREATED', 'CONFIRMED'],
    to: 'CANCELLED',
    defaultReason: CANCELLATION_REASONS.CUSTOMER_REQUEST,
  },
} as const satisfies Record<OrderEvent, TransitionRule>;

/** Whether no event can move an order out of this state. */
export function isFinal(status: OrderStatus): boolean {
  return FINAL_STATUSES.includes(status);
}

/** The state `event` leads to from `status`, or null when the lifecycle forbids it. */
export function nextStatus(status: OrderStatus, event: OrderEvent): OrderStatus | null {
  const rule: TransitionRule = ORDER_TRANSITIONS[event];
  return rule.from.includes(status) ? rule.to : null;
}

/** Whether the lifecycle has a direct transition from one state to another. */
export function canTransition(from: OrderStatus, to: OrderStatus): boolean {
  return ORDER_EVENTS.some((event) => nextStatus(from, event) === to);
}

/** Events that may happen to an order in this state. */
export function allowedEvents(status: OrderStatus): OrderEvent[] {
  return ORDER_EVENTS.filter((event) => nextStatus(status, event) !== null);
}

/** Whether a customer may cancel an order in this state (the SPA offers the button only then). */
export function canCancel(status: OrderStatus): boolean {
  return nextStatus(status, 'CANCEL_REQUESTED') !== null;
}

/**
 * What a cancel request does: cancel, nothing (already cancelled: the order is returned
 * unchanged, so retrying a cancel is safe), or refuse.
 */
export function cancelOutcome(
  status: OrderStatus,
): 'CANCEL' | 'ALREADY_CANCELLED' | 'NOT_CANCELLABLE' {
  if (canCancel(status)) return 'CANCEL';
  return status === 'CANCELLED' ? 'ALREADY_CANCELLED' : 'NOT_CANCELLABLE';
}

/**
 * The durable work a transition leaves behind.
 * `paymentAttempted`: a payment call may have reached the provider (its answer may be unknown).
 */
export function followUpOf(
  event: OrderEvent,
  from: OrderStatus,
  paymentAttempted: boolean,
): FollowUp | null {
  switch (event) {
    case 'PAYMENT_CONFIRMED':
      return 'DELIVER';
    case 'PAYMENT_DECLINED':
    case 'DELIVERY_DUE':
      return null;
    case 'PAYMENT_FAILED':
      // A timed-out call may still have been captured by the provider.
      return 'RELEASE_PAYMENT';
    case 'CANCEL_REQUESTED':
      return from === 'CONFIRMED' || paymentAttempted ? 'RELEASE_PAYMENT' : null;
  }
}

/**
 * What to do with a payment answer that arrives for an order already past CREATED:
 * a confirmation for a cancelled order must be given back; anything else is a duplicate.
 */
export function lateAnswerFollowUp(status: OrderStatus, confirmed: boolean): FollowUp | null {
  return status === 'CANCELLED' && confirmed ? 'RELEASE_PAYMENT' : null;
}

/** Whether a sequence of states (oldest first) is a path the lifecycle allows from the start. */
export function isValidPath(path: readonly OrderStatus[]): boolean {
  if (path[0] !== INITIAL_STATUS) return false;
  for (let i = 1; i < path.length; i++) {
    const from = path[i - 1];
    const to = path[i];
    if (from === undefined || to === undefined || !canTransition(from, to)) return false;
  }
  return true;
}

/** Type guard for untrusted strings. */
export function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && (ORDER_STATUSES as readonly string[]).includes(value);
}
