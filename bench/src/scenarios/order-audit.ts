/** An order as the bench reads it back through the public API. */
export interface ListedOrder {
  id: string;
  createdAt: string;
  history: { from: string | null; to: string; at: string }[];
}

/** The histories a finished order may have: delivered, or cancelled (declined or by request). */
export const EXPECTED_HISTORIES: readonly string[] = [
  '-CREATED,CREATED-CONFIRMED,CONFIRMED-DELIVERED',
  '-CREATED,CREATED-CANCELLED',
];

/** What the read-back of a step's orders showed. */
export interface OrderAudit {
  /** Orders of the step found through the API. */
  orders: number;
  delivered: number;
  cancelled: number;
  /** Not in a final state after the drain: lost work. */
  unfinished: number;
  /** History other than the expected ones: a transition lost or doubled. */
  badHistory: number;
  /** Acknowledged by an answer but not found: a lost order. */
  missing: number;
  /** Found but acknowledged by no answer: made by a request that timed out (or was refused). */
  unacknowledged: number;
  /** Orders whose final transition fell in the measured window. */
  completedInWindow: number;
  /** Creation to final state, ms, of the orders created in the measured window. */
  lagsMs: number[];
}

/**
 * Checks every order found against the answers that acknowledged orders: each acknowledged
 * order exists, reached a final state with an expected history, and nothing else appeared.
 * Times are the database's own (creation and final transition).
 */
export function auditOrders(
  listed: readonly ListedOrder[],
  acknowledged: ReadonlySet<string>,
  window: { start: number; end: number },
): OrderAudit {
  const audit: OrderAudit = {
    orders: listed.length,
    delivered: 0,
    cancelled: 0,
    unfinished: 0,
    badHistory: 0,
    missing: 0,
    unacknowledged: 0,
    completedInWindow: 0,
    lagsMs: [],
  };
  const found = new Set<string>();
  for (const order of listed) {
    found.add(order.id);
    if (!acknowledged.has(order.id)) audit.unacknowledged++;
    const last = order.history[order.history.length - 1];
    if (last === undefined || (last.to !== 'DELIVERED' && last.to !== 'CANCELLED')) {
      audit.unfinished++;
      continue;
    }
    const shape = order.history.map((h) => `${h.from ?? ''}-${h.to}`).join(',');
    if (!EXPECTED_HISTORIES.includes(shape)) audit.badHistory++;
    if (last.to === 'DELIVERED') audit.delivered++;
    else audit.cancelled++;
    const finalAt = Date.parse(last.at);
    const createdAt = Date.parse(order.createdAt);
    // Warm-up orders must finish too (lost is lost), but their timing is the cold start's.
    if (createdAt >= window.start) audit.lagsMs.push(finalAt - createdAt);
    if (finalAt >= window.start && finalAt < window.end) audit.completedInWindow++;
  }
  for (const id of acknowledged) if (!found.has(id)) audit.missing++;
  return audit;
}

/** Adds up counts by key (failure reasons of several generators). */
export function mergeCounts(counts: readonly Record<string, number>[]): Record<string, number> {
  const merged: Record<string, number> = {};
  for (const each of counts) {
    for (const [key, count] of Object.entries(each)) merged[key] = (merged[key] ?? 0) + count;
  }
  return merged;
}
