import {
  lastVersions,
  moneyViolations,
  pathViolations,
  recordingViolations,
  type OrderFacts,
  type Recording,
} from './invariant-checks.js';
import { OrderReader, type OrderSource } from './order-reader.js';
import { paymentRecordsOf, type PaymentRecord } from './payment-records.js';

/**
 * The system's invariants, checked after every fault and race test:
 *
 * 1. Every order is in exactly one state, and its history is a valid path of the lifecycle
 *    ending in it (no CONFIRMED after CANCELLED, in particular).
 * 2. Every CREATED order eventually leaves CREATED.
 * 3. No order has two payments; every order that was confirmed and then cancelled has exactly
 *    one, refunded; no cancelled order keeps money captured; a confirmed or delivered order has
 *    exactly one payment, confirmed, for its total.
 * 4. Every transition a subscriber should have seen, it saw, once, in order.
 */
export interface InvariantSubject extends OrderSource {
  /** payments-api's own base URL (not a relay in front of it). */
  paymentsUrl: string;
  /** The service token payments-api takes. */
  paymentsToken: string;
  /** Orders that must be there (an order lost is a violation); every order is checked. */
  orderIds?: readonly string[];
  /** Subscribers whose recordings are checked against the histories. */
  recordings?: readonly Recording[];
  /** Bound on the wait for orders to leave CREATED and money to settle; 30 s by default. */
  settleTimeoutMs?: number;
}

/** What was checked, for a test's log line. */
export interface InvariantReport {
  orders: number;
  byStatus: Record<string, number>;
  refunded: number;
  eventsChecked: number;
}

/** A duplicate event would come right behind the original. */
const DUPLICATE_WINDOW_MS = 300;

/**
 * Checks the invariants (see `InvariantSubject`), waiting (bounded) for orders to leave CREATED
 * and for money owed back to be given back; throws naming every violation.
 */
export async function assertInvariants(subject: InvariantSubject): Promise<InvariantReport> {
  const deadline = Date.now() + (subject.settleTimeoutMs ?? 30_000);
  const reader = OrderReader.open(subject);
  const read = async (): Promise<OrderFacts[]> => {
    const all = await reader.read();
    const present = new Set(all.map((o) => o.id));
    const missing = (subject.orderIds ?? []).filter((id) => !present.has(id));
    if (missing.length > 0) throw new InvariantError([`orders lost: ${missing.join(', ')}`]);
    return all;
  };
  try {
    // 2. Every order leaves CREATED, within the bound.
    let orders = await read();
    for (;;) {
      const stuck = orders.filter((o) => o.status === 'CREATED');
      if (stuck.length === 0) break;
      if (Date.now() > deadline) {
        throw new InvariantError([
          `${stuck.length} order(s) still CREATED after the wait: ${ids(stuck)}`,
        ]);
      }
      await pause(100);
      orders = await read();
    }

    // 1. One state, a valid path ending in it.
    const violations = orders.flatMap(pathViolations);

    // 3. Money. Settles after the orders do (a release is queued work): wait for it, bounded.
    const payments = new Map<string, PaymentRecord[]>();
    let pending = orders;
    for (;;) {
      await eachLimited(pending, 16, async (order) => {
        payments.set(order.id, await recordsOf(subject, order.id));
      });
      pending = orders.filter((o) => moneyViolations(o, payments.get(o.id) ?? []).length > 0);
      if (pending.length === 0 || Date.now() > deadline) break;
      await pause(200);
      // A status read earlier may have moved on (a CONFIRMED order delivered): read again.
      const fresh = new Map((await read()).map((o) => [o.id, o]));
      orders = orders.map((o) => fresh.get(o.id) ?? o);
      pending = pending.map((o) => fresh.get(o.id) ?? o);
    }
    violations.push(...orders.flatMap((o) => moneyViolations(o, payments.get(o.id) ?? [])));

    // 4. Subscribers. Their events trail the commits: wait until every recording has the last
    // transition of each order, on a reading of the orders that stays the same meanwhile (a
    // confirmed order may be delivered during the wait).
    const recordings = subject.recordings ?? [];
    let final = new Map((await read()).map((o) => [o.id, o]));
    const caughtUp = (recording: Recording) => {
      const last = lastVersions(recording.events());
      return [...final.values()].every(
        (o) =>
          (!recording.mustSee(o.id) && !last.has(o.id)) || (last.get(o.id) ?? 0) >= o.path.length,
      );
    };
    for (;;) {
      while (!recordings.every(caughtUp) && Date.now() < deadline) await pause(100);
      await pause(recordings.length > 0 ? DUPLICATE_WINDOW_MS : 0);
      const again = new Map((await read()).map((o) => [o.id, o]));
      const moved = [...again.values()].some((o) => final.get(o.id)?.path.length !== o.path.length);
      final = again;
      if (!moved || Date.now() > deadline) break;
    }
    let eventsChecked = 0;
    for (const recording of recordings) {
      violations.push(...recordingViolations(recording, final));
      eventsChecked += recording.events().filter((e) => final.has(e.id)).length;
    }

    if (violations.length > 0) throw new InvariantError(violations);
    const byStatus: Record<string, number> = {};
    for (const order of final.values()) byStatus[order.status] = (byStatus[order.status] ?? 0) + 1;
    return {
      orders: final.size,
      byStatus,
      refunded: [...payments.values()].filter((p) => p.some((r) => r.status === 'refunded')).length,
      eventsChecked,
    };
  } finally {
    await reader.close();
  }
}

/** Every order with its history, read through the API (`graphqlUrl`) or the database. */
export async function readOrders(source: OrderSource): Promise<OrderFacts[]> {
  const reader = OrderReader.open(source);
  try {
    return await reader.read();
  } finally {
    await reader.close();
  }
}

/** Thrown with every violation found, at most 30 of them spelled out. */
export class InvariantError extends Error {
  constructor(readonly violations: string[]) {
    super(
      `${violations.length} invariant violation(s):\n` +
        violations
          .slice(0, 30)
          .map((v) => `  - ${v}`)
          .join('\n'),
    );
    this.name = 'InvariantError';
  }
}

/**
 * payments-api's records of an order. A lookup that fails is asked again a few times: right after
 * a database restart a pooled connection may fail one query, and that is not what is checked here.
 */
async function recordsOf(subject: InvariantSubject, orderId: string): Promise<PaymentRecord[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await paymentRecordsOf(subject.paymentsUrl, subject.paymentsToken, orderId);
    } catch (error) {
      if (attempt >= 5) throw error;
      await pause(200);
    }
  }
}

function ids(orders: OrderFacts[]): string {
  return (
    orders
      .slice(0, 10)
      .map((o) => o.id)
      .join(', ') + (orders.length > 10 ? ', …' : '')
  );
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next];
      next += 1;
      if (item !== undefined) await work(item);
    }
  });
  await Promise.all(lanes);
}
