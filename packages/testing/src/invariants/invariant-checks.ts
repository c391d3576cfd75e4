import { isOrderStatus, isValidPath, type OrderStatus } from '@oms/order-lifecycle';
import type { PaymentRecord } from './payment-records.js';

/** One order as its store has it. */
export interface OrderFacts {
  id: string;
  status: OrderStatus;
  total: number;
  cancellationReason: string | null;
  /** `to` of every history entry, in order; `from` of each is checked against the one before. */
  path: OrderStatus[];
  /** Every history entry's `from` matched the entry before it. */
  chained: boolean;
}

/** One event a subscriber received: the order as of its `version`-th transition. */
export interface SeenTransition {
  id: string;
  status: string;
  /** History length of the order in the event (its version). */
  version: number;
  /** When it arrived (Date.now()), where the recorder knows. */
  at?: number;
}

/** What one subscriber received, and which orders it must have seen from their creation. */
export interface Recording {
  name: string;
  events(): readonly SeenTransition[];
  /**
   * Whether it was subscribed before the order was created, so must have seen every one of its
   * transitions. For any other order it saw, what it saw must be the tail of the history.
   */
  mustSee(orderId: string): boolean;
  /** Problems of the transport (errors, an early close); any is a violation. */
  problems(): readonly string[];
}

/** An order's facts from its raw row and history entries, as read from the API or the database. */
export function orderFacts(
  id: string,
  status: string,
  total: number,
  cancellationReason: string | null,
  history: readonly { from: string | null; to: string }[],
): OrderFacts {
  const path = history.map((h) => h.to).filter(isOrderStatus);
  return {
    id,
    // An unknown status fails the path check (it cannot end a valid path).
    status: isOrderStatus(status) ? status : ('?' as OrderStatus),
    total,
    cancellationReason,
    path: path.length === history.length ? path : [],
    chained: history.every((h, i) => h.from === (i === 0 ? null : history[i - 1]?.to)),
  };
}

/** One state, and a history that is a valid lifecycle path ending in it. */
export function pathViolations(order: OrderFacts): string[] {
  const found: string[] = [];
  const trail = order.path.join(' > ');
  if (!isValidPath(order.path))
    found.push(`${order.id}: history is not a lifecycle path: ${trail}`);
  if (order.path.at(-1) !== order.status) {
    found.push(`${order.id}: status ${order.status} but history ends in ${trail}`);
  }
  if (!order.chained) found.push(`${order.id}: a history entry's from is not the one before`);
  const cancelledAt = order.path.indexOf('CANCELLED');
  if (cancelledAt >= 0 && order.path.slice(cancelledAt + 1).includes('CONFIRMED')) {
    found.push(`${order.id}: confirmed after it was cancelled: ${trail}`);
  }
  if ((order.status === 'CANCELLED') !== (order.cancellationReason !== null)) {
    found.push(`${order.id}: ${order.status} with reason ${String(order.cancellationReason)}`);
  }
  return found;
}

/**
 * Money: no order has two payments; one confirmed then cancelled has exactly one, refunded; no
 * cancelled order keeps money captured; a confirmed or delivered one has one, confirmed, for its
 * total.
 */
export function moneyViolations(order: OrderFacts, records: readonly PaymentRecord[]): string[] {
  const found: string[] = [];
  const statuses = records.map((r) => r.status).join(', ');
  if (records.length > 1) found.push(`${order.id}: ${records.length} payments (${statuses})`);
  const wasConfirmed = order.path.includes('CONFIRMED');
  if (order.status === 'CANCELLED' && wasConfirmed) {
    const refunds = records.filter((r) => r.status === 'refunded');
    if (refunds.length !== 1 || records.length !== 1) {
      found.push(`${order.id}: confirmed then cancelled, payments [${statuses}], not one refund`);
    }
  }
  if (order.status === 'CANCELLED' && records.some((r) => r.status === 'confirmed')) {
    found.push(`${order.id}: cancelled (${String(order.cancellationReason)}) with money captured`);
  }
  if (order.status === 'CONFIRMED' || order.status === 'DELIVERED') {
    const [record] = records;
    if (records.length !== 1 || record?.status !== 'confirmed' || record.amount !== order.total) {
      const seen = records.map((r) => `${r.status} ${String(r.amount)}`).join(', ');
      found.push(`${order.id}: ${order.status} (total ${order.total}) with payments [${seen}]`);
    }
  }
  return found;
}

/**
 * Every transition a subscriber had to see, it saw, once, in order; of an order it joined late,
 * the tail of the history.
 */
export function recordingViolations(
  recording: Recording,
  orders: ReadonlyMap<string, OrderFacts>,
): string[] {
  const found = recording.problems().map((p) => `${recording.name}: ${p}`);
  const byOrder = new Map<string, SeenTransition[]>();
  for (const event of recording.events()) {
    if (!orders.has(event.id)) continue;
    byOrder.set(event.id, [...(byOrder.get(event.id) ?? []), event]);
  }
  for (const order of orders.values()) {
    const seen = byOrder.get(order.id) ?? [];
    const mustSee = recording.mustSee(order.id);
    if (seen.length === 0 && !mustSee) continue;
    const label = `${recording.name} saw ${order.id} as ${seen.map((e) => `${e.status}@${e.version}`).join(', ') || 'nothing'} (history ${order.path.join(' > ')})`;
    // Once each and in order: consecutive versions ending at the last transition, each showing
    // the status the history has at that version; from the first one when it had to see all.
    const first = mustSee ? 1 : (seen[0]?.version ?? 1);
    const expected = order.path.slice(first - 1).map((status, i) => `${status}@${first + i}`);
    const actual = seen.map((e) => `${e.status}@${e.version}`);
    if (actual.join(',') !== expected.join(',')) found.push(label);
  }
  return found;
}

/** The highest version seen of each order. */
export function lastVersions(events: readonly SeenTransition[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const event of events) last.set(event.id, Math.max(last.get(event.id) ?? 0, event.version));
  return last;
}
