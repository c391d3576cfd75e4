/**
 * The order lifecycle as plain data plus a few pure functions over it: states, the events that
 * move an order between them, and the durable work each transition leaves behind. The API
 * enforces it (its guarded SQL and its worker are built from this data, no rule is repeated
 * there), the SPA reads it to decide which actions to offer.
 */

/** Every state an order can be in. */
export const ORDER_STATUSES = ['CREATED', 'CONFIRMED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** States an order never leaves. */
export const FINAL_STATUSES: readonly OrderStatus[] = ['DELIVERED', 'CANCELLED'];

/**
 * States whose orders count as revenue: the payment was captured and not given back. A cancel
 * of a CONFIRMED order refunds it, so it leaves revenue again.
 */
export const REVENUE_STATUSES: readonly OrderStatus[] = ['CONFIRMED', 'DELIVERED'];

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

/**
 * How the worker carries out a follow-up once it is due:
 * - `call`: a call to the payment provider (`charge` or `release`); `attemptsPayment` when the
 *   call may capture money, so that a later cancel knows money may have moved;
 * - `event`: a lifecycle event applied to every order whose follow-up is due, in batches.
 * `delay` names the setting that says how long after its transition the follow-up falls due
 * (absent: at once).
 */
export type FollowUpWork =
  | {
      readonly kind: 'call';
      readonly call: 'charge' | 'release';
      readonly attemptsPayment: boolean;
    }
  | { readonly kind: 'event'; readonly event: OrderEvent; readonly delay?: 'deliveryDelay' };

/** What each follow-up is. */
export const FOLLOW_UP_WORK = {
  PAY: { kind: 'call', call: 'charge', attemptsPayment: true },
  DELIVER: { kind: 'event', event: 'DELIVERY_DUE', delay: 'deliveryDelay' },
  RELEASE_PAYMENT: { kind: 'call', call: 'release', attemptsPayment: false },
} as const satisfies Record<FollowUp, FollowUpWork>;

/** What each follow-up is called where people see it (the API's ScheduledActionKind). */
export const FOLLOW_UP_NAMES = {
  PAY: 'PAYMENT',
  DELIVER: 'DELIVERY',
  RELEASE_PAYMENT: 'REFUND',
} as const satisfies Record<FollowUp, string>;
export type ScheduledActionKind = (typeof FOLLOW_UP_NAMES)[FollowUp];

/** Every kind of scheduled action, in lifecycle order. */
export const SCHEDULED_ACTION_KINDS: readonly ScheduledActionKind[] = FOLLOW_UPS.map(
  (f) => FOLLOW_UP_NAMES[f],
);

/** Follow-ups the worker carries out by calling the payment provider. */
export const CALL_FOLLOW_UPS: readonly FollowUp[] = FOLLOW_UPS.filter(
  (f) => FOLLOW_UP_WORK[f].kind === 'call',
);

/** Follow-ups whose call may capture money (they count as payment attempts). */
export const PAYMENT_ATTEMPT_FOLLOW_UPS: readonly FollowUp[] = FOLLOW_UPS.filter((f) => {
  const work: FollowUpWork = FOLLOW_UP_WORK[f];
  return work.kind === 'call' && work.attemptsPayment;
});

/** Follow-ups that are a lifecycle event applied when due, each with its event. */
export const EVENT_FOLLOW_UPS: readonly { followUp: FollowUp; event: OrderEvent }[] =
  FOLLOW_UPS.flatMap((followUp) => {
    const work: FollowUpWork = FOLLOW_UP_WORK[followUp];
    return work.kind === 'event' ? [{ followUp, event: work.event }] : [];
  });

/**
 * How every order starts: its state, the work that state leaves (asking for payment), and who
 * is recorded as making it (whoever asked for it).
 */
export const ORDER_START = {
  status: 'CREATED',
  followUp: 'PAY',
  actor: 'REQUESTER',
} as const satisfies {
  status: OrderStatus;
  followUp: FollowUp;
  actor: TransitionActor;
};

/** The state every order starts in. */
export const INITIAL_STATUS: OrderStatus = ORDER_START.status;

/** Who may read a note on an order: anyone who may read the order, or admins only. */
export const NOTE_VISIBILITIES = ['PUBLIC', 'INTERNAL'] as const;
export type NoteVisibility = (typeof NOTE_VISIBILITIES)[number];

/** Whether a customer (not an admin) may add or read notes of this visibility. */
export function customerMaySee(visibility: NoteVisibility): boolean {
  return visibility === 'PUBLIC';
}

/** Who can move an order: a customer, an admin (people, named by their token's `sub`), or not a person. */
export const ACTOR_KINDS = ['CUSTOMER', 'ADMIN', 'SYSTEM', 'PAYMENT_PROVIDER'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/**
 * Who a transition is recorded as made by: `REQUESTER` is the person who asked for it (a customer
 * or an admin); the others are not people.
 */
export type TransitionActor = 'REQUESTER' | 'SYSTEM' | 'PAYMENT_PROVIDER';

export interface TransitionRule {
  readonly from: readonly OrderStatus[];
  /** Who the transition is recorded as made by. */
  readonly actor: TransitionActor;
  readonly to: OrderStatus;
  /** Reason recorded when the caller gives none. */
  readonly defaultReason?: string;
  /** The durable work the transition leaves behind (null: none). */
  readonly followUp: FollowUp | null;
  /**
   * Leave the follow-up only when a payment call may have reached the provider (the order's
   * PAY work was ever claimed); a confirmed order has had one by definition.
   */
  readonly followUpIfPaymentAttempted?: boolean;
}

/**
 * The lifecycle: for each event, the states it may leave, the state it leads to, and the work it
 * leaves behind. A timed-out payment call may still have been captured, so a failed payment
 * releases it; a cancel releases whatever a payment call may have captured.
 */
export const ORDER_TRANSITIONS = {
  PAYMENT_CONFIRMED: {
    from: ['CREATED'],
    to: 'CONFIRMED',
    followUp: 'DELIVER',
    actor: 'PAYMENT_PROVIDER',
  },
  PAYMENT_DECLINED: {
    from: ['CREATED'],
    actor: 'PAYMENT_PROVIDER',
    to: 'CANCELLED',
    defaultReason: CANCELLATION_REASONS.PAYMENT_DECLINED,
    followUp: null,
  },
  // Also when the provider never answered: the payment's outcome, not a decision of ours.
  PAYMENT_FAILED: {
    from: ['CREATED'],
    actor: 'PAYMENT_PROVIDER',
    to: 'CANCELLED',
    defaultReason: CANCELLATION_REASONS.PAYMENT_FAILED,
    followUp: 'RELEASE_PAYMENT',
  },
  DELIVERY_DUE: { from: ['CONFIRMED'], to: 'DELIVERED', followUp: null, actor: 'SYSTEM' },
  CANCEL_REQUESTED: {
    from: ['CREATED', 'CONFIRMED'],
    actor: 'REQUESTER',
    to: 'CANCELLED',
    defaultReason: CANCELLATION_REASONS.CUSTOMER_REQUEST,
    followUp: 'RELEASE_PAYMENT',
    followUpIfPaymentAttempted: true,
  },
} as const satisfies Record<OrderEvent, TransitionRule>;

/** What the provider's answer to a charge means for the lifecycle. */
export const PAYMENT_ANSWER_EVENTS = {
  confirmed: 'PAYMENT_CONFIRMED',
  declined: 'PAYMENT_DECLINED',
  /** No answer after every attempt, or a refusal of the request itself. */
  failed: 'PAYMENT_FAILED',
} as const satisfies Record<string, OrderEvent>;

/**
 * A confirmation that arrives after the order left CREATED: in these states the money must be
 * given back with this follow-up; in any other it is a duplicate answer.
 */
export const LATE_CONFIRMATION = {
  owedIn: ['CANCELLED'],
  followUp: 'RELEASE_PAYMENT',
} as const satisfies { owedIn: readonly OrderStatus[]; followUp: FollowUp };

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
  const rule: TransitionRule = ORDER_TRANSITIONS[event];
  if (!rule.from.includes(from)) return null;
  if (rule.followUpIfPaymentAttempted === true && !paymentAttempted) return null;
  return rule.followUp;
}

/**
 * What to do with a payment answer that arrives for an order already past CREATED:
 * a confirmation for a cancelled order must be given back; anything else is a duplicate.
 */
export function lateAnswerFollowUp(status: OrderStatus, confirmed: boolean): FollowUp | null {
  const owedIn: readonly OrderStatus[] = LATE_CONFIRMATION.owedIn;
  return confirmed && owedIn.includes(status) ? LATE_CONFIRMATION.followUp : null;
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

/** The kind of person asking: an admin or a customer. */
export function requesterKind(admin: boolean): ActorKind {
  return admin ? 'ADMIN' : 'CUSTOMER';
}

/** Type guard for untrusted strings. */
export function isActorKind(value: unknown): value is ActorKind {
  return typeof value === 'string' && (ACTOR_KINDS as readonly string[]).includes(value);
}
