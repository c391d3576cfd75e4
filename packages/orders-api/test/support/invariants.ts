import { openDatabase, queryRows, sql } from '@oms/database';
import { isValidPath, isOrderStatus, type OrderStatus } from '@oms/order-lifecycle';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { schema } from '../../src/persistence/schema.js';
import { paymentRecordsOf, type PaymentRecord } from './processes.js';
import { TEST_PAYMENTS_TOKEN, postGraphQL, type Stack } from './stack.js';

/**
 * The invariants of issue 5, checked after every fault and race test:
 *
 * 1. Every order is in exactly one state, and its history is a valid path of the lifecycle
 *    ending in it (no CONFIRMED after CANCELLED, in particular).
 * 2. Every CREATED order eventually leaves CREATED.
 * 3. No order has two payments; every order that was confirmed and then cancelled has exactly
 *    one, refunded; no cancelled order keeps money captured; a confirmed or delivered order has
 *    exactly one payment, confirmed, for its total.
 * 4. Every transition a subscriber should have seen, it saw, once, in order.
 */
export interface InvariantSubject {
  /** GraphQL over HTTP of any orders-api serving the database (read when no URL is given). */
  graphqlUrl?: string;
  /**
   * The orders database on a PostgreSQL server: histories are then read with SQL, independent of
   * the API (and of any process still running).
   */
  ordersDatabaseUrl?: string;
  /** payments-api's own base URL (not a fault relay in front of it). */
  paymentsUrl: string;
  paymentsToken?: string;
  /** Orders that must be there (an order lost is a violation); every order is checked. */
  orderIds?: readonly string[];
  /** Subscribers whose recordings are checked against the histories. */
  recordings?: readonly Recording[];
  /** Bound on the wait for orders to leave CREATED and money to settle; 30 s by default. */
  settleTimeoutMs?: number;
}

/** One order as the database has it. */
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

/** What was checked, for a test's log line. */
export interface InvariantReport {
  orders: number;
  byStatus: Record<string, number>;
  refunded: number;
  eventsChecked: number;
}

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));
/** A duplicate event would come right behind the original. */
const DUPLICATE_WINDOW_MS = 300;

/**
 * Checks the invariants (see `InvariantSubject`), waiting (bounded) for orders to leave CREATED
 * and for money owed back to be given back; throws naming every violation.
 */
export async function assertInvariants(target: InvariantSubject | Stack): Promise<InvariantReport> {
  const subject = isSubject(target)
    ? target
    : { graphqlUrl: target.graphqlUrl, paymentsUrl: target.payments.url };
  const deadline = Date.now() + (subject.settleTimeoutMs ?? 30_000);
  const reader = await OrderReader.open(subject);
  try {
    // 2. Every order leaves CREATED, within the bound.
    let orders = await reader.read();
    for (;;) {
      const stuck = orders.filter((o) => o.status === 'CREATED');
      if (stuck.length === 0) break;
      if (Date.now() > deadline) {
        throw new InvariantError([
          `${stuck.length} order(s) still CREATED after the wait: ${ids(stuck)}`,
        ]);
      }
      await pause(100);
      orders = await reader.read();
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
      const fresh = new Map((await reader.read()).map((o) => [o.id, o]));
      orders = orders.map((o) => fresh.get(o.id) ?? o);
      pending = pending.map((o) => fresh.get(o.id) ?? o);
    }
    violations.push(...orders.flatMap((o) => moneyViolations(o, payments.get(o.id) ?? [])));

    // 4. Subscribers. Their events trail the commits: wait until every recording has the last
    // transition of each order, on a reading of the orders that stays the same meanwhile (a
    // confirmed order may be delivered during the wait).
    const recordings = subject.recordings ?? [];
    let final = new Map((await reader.read()).map((o) => [o.id, o]));
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
      const again = new Map((await reader.read()).map((o) => [o.id, o]));
      const moved = [...again.values()].some((o) => final.get(o.id)?.path.length !== o.path.length);
      final = again;
      if (!moved || Date.now() > deadline) break;
    }
    let eventsChecked = 0;
    for (const recording of recordings) {
      const found = recordingViolations(recording, final, (id) => recording.mustSee(id));
      eventsChecked += recording.events().filter((e) => final.has(e.id)).length;
      violations.push(...found);
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
export async function readOrders(
  source: Pick<InvariantSubject, 'graphqlUrl' | 'ordersDatabaseUrl'>,
): Promise<OrderFacts[]> {
  const reader = await OrderReader.open({ ...source, paymentsUrl: '' });
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
  const token = subject.paymentsToken ?? TEST_PAYMENTS_TOKEN;
  for (let attempt = 1; ; attempt++) {
    try {
      return await paymentRecordsOf(subject.paymentsUrl, token, orderId);
    } catch (error) {
      if (attempt >= 5) throw error;
      await pause(200);
    }
  }
}

function pathViolations(order: OrderFacts): string[] {
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

function moneyViolations(order: OrderFacts, records: PaymentRecord[]): string[] {
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

function recordingViolations(
  recording: Recording,
  orders: Map<string, OrderFacts>,
  mustSee: (id: string) => boolean,
): string[] {
  const found = recording.problems().map((p) => `${recording.name}: ${p}`);
  const byOrder = new Map<string, SeenTransition[]>();
  for (const event of recording.events()) {
    if (!orders.has(event.id)) continue;
    byOrder.set(event.id, [...(byOrder.get(event.id) ?? []), event]);
  }
  for (const order of orders.values()) {
    const seen = byOrder.get(order.id) ?? [];
    if (seen.length === 0 && !mustSee(order.id)) continue;
    const label = `${recording.name} saw ${order.id} as ${seen.map((e) => `${e.status}@${e.version}`).join(', ') || 'nothing'} (history ${order.path.join(' > ')})`;
    // Once each and in order: consecutive versions ending at the last transition, each showing
    // the status the history has at that version; from the first one when it had to see all.
    const first = mustSee(order.id) ? 1 : (seen[0]?.version ?? 1);
    const expected = order.path.slice(first - 1).map((status, i) => `${status}@${first + i}`);
    const actual = seen.map((e) => `${e.status}@${e.version}`);
    if (actual.join(',') !== expected.join(',')) found.push(label);
  }
  return found;
}

function lastVersions(events: readonly SeenTransition[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const event of events) last.set(event.id, Math.max(last.get(event.id) ?? 0, event.version));
  return last;
}

/** Reads every order (or the chosen ones) with its history: by SQL on a server, else GraphQL. */
class OrderReader {
  private constructor(
    private readonly subject: InvariantSubject,
    private readonly handle: Awaited<ReturnType<typeof openOrders>> | null,
  ) {}

  static async open(subject: InvariantSubject): Promise<OrderReader> {
    if (subject.ordersDatabaseUrl !== undefined) {
      return new OrderReader(subject, await openOrders(subject.ordersDatabaseUrl));
    }
    if (subject.graphqlUrl === undefined) {
      throw new Error('assertInvariants needs graphqlUrl or ordersDatabaseUrl');
    }
    return new OrderReader(subject, null);
  }

  async read(): Promise<OrderFacts[]> {
    const all = this.handle === null ? await this.readGraphQL() : await this.readSql(this.handle);
    const present = new Set(all.map((o) => o.id));
    const missing = (this.subject.orderIds ?? []).filter((id) => !present.has(id));
    if (missing.length > 0) throw new InvariantError([`orders lost: ${missing.join(', ')}`]);
    return all;
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }

  private async readSql(handle: Awaited<ReturnType<typeof openOrders>>): Promise<OrderFacts[]> {
    const rows = await queryRows<{
      id: string;
      status: string;
      total: number;
      cancellation_reason: string | null;
      history: { from: string | null; to: string }[];
    }>(
      handle.db,
      sql`select o.id, o.status::text as status, o.total, o.cancellation_reason,
                 coalesce(json_agg(json_build_object('from', t.from_status, 'to', t.to_status)
                                   order by t.seq) filter (where t.seq is not null), '[]') as history
          from orders o left join order_transitions t on t.order_id = o.id
          group by o.id`,
    );
    return rows.map((row) =>
      facts(row.id, row.status, row.total, row.cancellation_reason, row.history),
    );
  }

  private async readGraphQL(): Promise<OrderFacts[]> {
    const url = this.subject.graphqlUrl ?? '';
    const all: OrderFacts[] = [];
    let after: string | null = null;
    for (;;) {
      const page: Awaited<ReturnType<typeof readPage>> = await readPage(url, after);
      for (const node of page.nodes) {
        all.push(facts(node.id, node.status, node.total, node.cancellationReason, node.history));
      }
      if (!page.hasNextPage) return all;
      after = page.endCursor;
    }
  }
}

function openOrders(url: string) {
  return openDatabase({
    url,
    dataDir: '',
    schema,
    migrationsFolder: MIGRATIONS,
    migrationsTable: '__orders_migrations',
    poolSize: 2,
  });
}

const PAGE = `query Page($after: String) { orders(first: 100, after: $after) {
  edges { node { id status total cancellationReason history { from to } } }
  pageInfo { hasNextPage endCursor } } }`;

interface PageNode {
  id: string;
  status: string;
  total: number;
  cancellationReason: string | null;
  history: { from: string | null; to: string }[];
}

async function readPage(
  url: string,
  after: string | null,
): Promise<{ nodes: PageNode[]; hasNextPage: boolean; endCursor: string | null }> {
  const result = await postGraphQL<{
    orders: {
      edges: { node: PageNode }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    };
  }>(url, PAGE, { after });
  if (!result.data) throw new Error(`orders query failed: ${JSON.stringify(result.errors)}`);
  const { edges, pageInfo } = result.data.orders;
  return {
    nodes: edges.map((e) => e.node),
    hasNextPage: pageInfo.hasNextPage,
    endCursor: pageInfo.endCursor,
  };
}

function facts(
  id: string,
  status: string,
  total: number,
  cancellationReason: string | null,
  history: { from: string | null; to: string }[],
): OrderFacts {
  const path = history.map((h) => h.to).filter(isOrderStatus);
  return {
    id,
    // An unknown status fails the path check below (it cannot end a valid path).
    status: isOrderStatus(status) ? status : ('?' as OrderStatus),
    total,
    cancellationReason,
    path: path.length === history.length ? path : [],
    chained: history.every((h, i) => h.from === (i === 0 ? null : history[i - 1]?.to)),
  };
}

/**
 * A subscriber to every order's transitions over graphql-ws, recording what it receives and how
 * its connection ended (a close code other than a normal one is a problem).
 */
export class TransitionRecorder implements Recording {
  /** Close codes the socket ended with, in order. */
  readonly closeCodes: number[] = [];
  private readonly seen: SeenTransition[] = [];
  private readonly issues: string[] = [];
  private readonly client: Client;
  private stopped = false;
  /** Orders it must see whole; with `all`, every order but those created before it was live. */
  private readonly required = new Set<string>();
  private all = false;
  private readonly earlier = new Set<string>();

  private constructor(
    readonly name: string,
    url: string,
  ) {
    this.client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      // The close is recorded below; graphql-ws would print the event to the console.
      onNonLazyError: () => undefined,
      on: {
        closed: (event) => {
          const code = (event as { code?: number }).code ?? 0;
          this.closeCodes.push(code);
          if (!this.stopped) this.issues.push(`connection closed (${code}) while recording`);
        },
      },
    });
    this.client.subscribe<{
      orderUpdated: { id: string; status: string; history: { to: string }[] };
    }>(
      { query: 'subscription { orderUpdated { id status history { to } } }' },
      {
        next: (result) => {
          if (result.errors) this.issues.push(`errors: ${JSON.stringify(result.errors)}`);
          const order = result.data?.orderUpdated;
          if (order) {
            this.seen.push({
              id: order.id,
              status: order.status,
              version: order.history.length,
              at: Date.now(),
            });
          }
        },
        error: (error) => {
          if (!this.stopped) this.issues.push(`subscription error: ${JSON.stringify(error)}`);
        },
        complete: () => {
          if (!this.stopped) this.issues.push('subscription completed by the server');
        },
      },
    );
  }

  /**
   * Subscribes on `wsUrl` and resolves once the subscription is live: `probe` creates an order
   * (returning its id), and its CREATED event has arrived. Orders created after this resolves
   * are ones the recorder must see whole (add them with `mustSee`).
   */
  static async start(
    name: string,
    wsUrl: string,
    probe: () => Promise<string>,
    timeoutMs = 15_000,
  ): Promise<TransitionRecorder> {
    const recorder = new TransitionRecorder(name, wsUrl);
    const deadline = Date.now() + timeoutMs;
    // The subscribe message may still be on its way when the first probe lands: probe again.
    for (;;) {
      const id = await probe();
      const until = Math.min(deadline, Date.now() + 1_000);
      while (Date.now() < until && !recorder.seen.some((e) => e.id === id)) await pause(20);
      if (recorder.seen.some((e) => e.id === id)) return recorder;
      recorder.earlier.add(id);
      if (Date.now() >= deadline) {
        await recorder.stop();
        throw new Error(`${name}: subscription not live after ${timeoutMs} ms`);
      }
    }
  }

  /** Requires it to have seen every order created since it went live (`start` resolved). */
  watchAll(): this {
    this.all = true;
    return this;
  }

  /** Requires it to have seen these orders whole (created after it went live). */
  require(...orderIds: string[]): this {
    for (const id of orderIds) this.required.add(id);
    return this;
  }

  mustSee(orderId: string): boolean {
    return this.required.has(orderId) || (this.all && !this.earlier.has(orderId));
  }

  events(): readonly SeenTransition[] {
    return this.seen;
  }

  problems(): readonly string[] {
    return this.issues;
  }

  /** Ends the recording (closing the socket normally); later closes are not problems. */
  async stop(): Promise<void> {
    this.stopped = true;
    // A socket the server already closed has nothing left to close; do not wait on it for long.
    await Promise.race([this.client.dispose(), pause(2_000)]);
  }

  /** From now on the connection is expected to be closed by the server (its shutdown). */
  expectClose(): void {
    this.stopped = true;
  }
}

/**
 * A recording over a subscription made by other means (the stack's `Subscription`), for events
 * that carry the order's id, status and history.
 */
export function recordingOf<T>(
  name: string,
  source: { events: readonly T[]; errors: readonly unknown[]; completed: boolean },
  toTransition: (event: T) => SeenTransition,
  mustSee: ReadonlySet<string>,
): Recording {
  return {
    name,
    mustSee: (id) => mustSee.has(id),
    events: () => source.events.map(toTransition),
    problems: () => [
      ...source.errors.map((e) => `error: ${JSON.stringify(e)}`),
      ...(source.completed ? ['completed by the server'] : []),
    ],
  };
}

/**
 * The part of a recording about `orderIds`, each of which it must have seen whole: for a
 * subscriber that was connected through an outage of the server's LISTEN connection, whose
 * events are not replayed (a known limit), only orders created after it came back.
 */
export function restrictRecording(recording: Recording, orderIds: ReadonlySet<string>): Recording {
  return {
    name: recording.name,
    mustSee: (id) => orderIds.has(id),
    events: () => recording.events().filter((e) => orderIds.has(e.id)),
    problems: () => recording.problems(),
  };
}

function isSubject(value: InvariantSubject | Stack): value is InvariantSubject {
  return 'paymentsUrl' in value;
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
