import type { Order } from '../../lib/graphql/order.types.js';

export type NextAction = NonNullable<Order['nextAction']>;

const KIND_LABELS: Record<NextAction['kind'], string> = {
  PAYMENT: 'Payment',
  DELIVERY: 'Delivery',
  REFUND: 'Refund',
};

/**
 * The next step in words at `now` ("Delivery in 8 s", "Payment retry 3 in 4 s: payments
 * unavailable"). A retry is attempt n + 1 after n attempts; once due it reads "due now".
 */
export function nextActionText(action: NextAction, now: number): string {
  const what =
    action.attempts > 0
      ? `${KIND_LABELS[action.kind]} retry ${action.attempts + 1}`
      : KIND_LABELS[action.kind];
  const left = secondsLeft(action, now);
  const when = left > 0 ? `in ${formatSeconds(left)}` : 'due now';
  return action.lastError === null ? `${what} ${when}` : `${what} ${when}: ${action.lastError}`;
}

/** Whole seconds until due, rounded up so "in 0 s" never shows before it is due. */
export function secondsLeft(action: NextAction, now: number): number {
  return Math.max(0, Math.ceil((Date.parse(action.dueAt) - now) / 1000));
}

function formatSeconds(s: number): string {
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
