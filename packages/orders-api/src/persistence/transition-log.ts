import type { OrderStatus } from '@oms/order-lifecycle';
import type { EventPosition } from '../domain/event-cursor.js';
import type { OrderEventFilter, OrderEventLog, OrderLogEntry } from '../domain/order-event.js';
import { toDate, type SqlClient } from './sql.js';

/** A place in the transition log; its public form is the event cursor. */
export type LogPosition = EventPosition;

/** A committed transition, as the log gives it. */
export type LogEntry = OrderLogEntry;

/**
 * The largest `position` (a bigint identity). A cursor may name any 64-bit position; one beyond
 * this is read as this, which no row comes after in its transaction either.
 */
const MAX_POSITION = (1n << 63n) - 1n;

/** Every entry, whatever its order and customer. */
const EVERYTHING: OrderEventFilter = Object.freeze({ orderId: null, customerId: null });

/** NOTIFY channel that tells other processes the log has grown (a wake-up, no payload). */
export const LOG_WAKE_CHANNEL = 'order_log';

/**
 * Only transactions older than every transaction still running: their rows are all committed
 * (or were rolled back), so no row can later appear before the last one read.
 */
function readStatement(byOrder: boolean, byCustomer: boolean): string {
  const conditions = [
    '(t.xid, t.position) > ($1::xid8, $2::bigint)',
    't.xid < pg_snapshot_xmin(pg_current_snapshot())',
    ...(byOrder ? ['t.order_id = $4::uuid'] : []),
    // A customer's entries through their orders, in SQL: a page of theirs is found by the
    // customer's index, not by reading everyone's log and throwing most of it away.
    ...(byCustomer ? [`o.customer_id = $${byOrder ? 5 : 4}`] : []),
  ];
  return `
  select t.xid::text as xid, t.position::text as position, t.order_id, t.seq, t.from_status,
         t.to_status, t.at, t.reason
  from order_transitions t${byCustomer ? ' join orders o on o.id = t.order_id' : ''}
  where ${conditions.join('\n    and ')}
  order by t.xid, t.position
  limit $3`;
}

/** One fixed text per kind of filter, so each is prepared once and planned for its own index. */
const READ = readStatement(false, false);
const READ_ORDER = readStatement(true, false);
const READ_CUSTOMER = readStatement(false, true);
const READ_CUSTOMER_ORDER = readStatement(true, true);

/**
 * The transition log (order_transitions in (xid, position) order), read in batches. Gap-free:
 * a transaction that commits after a later-started one has its rows read, once, after it
 * commits, because nothing at or beyond the oldest running transaction is read until it ends.
 */
export class TransitionLog implements OrderEventLog {
  constructor(private readonly db: SqlClient) {}

  /** The position just before every transaction that has not finished yet: "from now on". */
  async head(): Promise<LogPosition> {
    const rows = await this.db.query<{ xid: string }>(
      `select pg_snapshot_xmin(pg_current_snapshot())::text as xid`,
      [],
    );
    return { xid: rows[0]?.xid ?? '0', position: '0' };
  }

  /**
   * Up to `limit` entries after `after` that pass `filter` (all of them by default), oldest
   * first; fewer (or none) when caught up.
   */
  async read(
    after: LogPosition,
    limit: number,
    filter: OrderEventFilter = EVERYTHING,
  ): Promise<LogEntry[]> {
    const { orderId, customerId } = filter;
    const position =
      BigInt(after.position) > MAX_POSITION ? MAX_POSITION.toString() : after.position;
    const params: unknown[] = [after.xid, position, limit];
    if (orderId !== null) params.push(orderId);
    if (customerId !== null) params.push(customerId);
    const statement =
      orderId === null
        ? customerId === null
          ? READ
          : READ_CUSTOMER
        : customerId === null
          ? READ_ORDER
          : READ_CUSTOMER_ORDER;
    const rows = await this.db.query<{
      xid: string;
      position: string;
      order_id: string;
      seq: number;
      from_status: OrderStatus | null;
      to_status: OrderStatus;
      at: Date | string;
      reason: string | null;
    }>(statement, params);
    return rows.map((r) => ({
      at: { xid: r.xid, position: r.position },
      orderId: r.order_id,
      version: r.seq,
      from: r.from_status,
      to: r.to_status,
      time: toDate(r.at),
      reason: r.reason,
    }));
  }
}

/**
 * Tells other processes that the log has grown, outside the transactions that grew it: a
 * NOTIFY in a committing transaction would serialise every such commit on PostgreSQL's notify
 * lock. At most one NOTIFY per `intervalMs`, and one after the last poke.
 */
export class LogWakeups {
  private timer: NodeJS.Timeout | null = null;
  private poked = false;

  constructor(
    private readonly db: SqlClient,
    private readonly intervalMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Says the log has grown; the NOTIFY goes out within `intervalMs`. */
  poke(): void {
    this.poked = true;
    this.timer ??= setTimeout(() => {
      this.send();
    }, 0);
  }

  private send(): void {
    if (!this.poked) {
      this.timer = null;
      return;
    }
    this.poked = false;
    this.db.query(`select pg_notify($1, '')`, [LOG_WAKE_CHANNEL]).catch(this.onError);
    this.timer = setTimeout(() => {
      this.send();
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
