import type { EventPosition } from '../domain/event-cursor.js';
import { toDate, type SqlClient } from './sql.js';

/**
 * One step of the dispatcher, one statement and so one transaction: take the cursor row (or
 * skip: another process is dispatching), read the next entries of the transition log after it
 * (only below the oldest running transaction, as every log reader does), queue one delivery per
 * entry and enabled endpoint that wants its status, and move the cursor past what was read.
 * A process killed at any point leaves the cursor and the deliveries as they were before, or
 * both moved. With no enabled endpoint nothing is read: the cursor jumps to the log's head.
 */
const DISPATCH = `
  with cur as (
    select xid, position from webhook_dispatch_cursor where id = 1 for update skip locked
  ),
  hooks as (select id, events from webhook_endpoints where enabled),
  head as (select pg_snapshot_xmin(pg_current_snapshot()) as xid),
  entries as (
    select t.xid, t.position, t.order_id, t.seq, t.to_status, t.at
    from cur, order_transitions t
    where exists (select 1 from hooks)
      and (t.xid, t.position) > (cur.xid, cur.position)
      and t.xid < (select xid from head)
    order by t.xid, t.position
    limit $1
  ),
  queued as (
    insert into webhook_deliveries (id, endpoint_id, event_xid, event_position, order_id,
                                    order_version, event_at, next_attempt_at)
    select gen_random_uuid(), h.id, e.xid, e.position, e.order_id, e.seq, e.at, now()
    from entries e join hooks h on h.events is null or e.to_status = any(h.events)
    on conflict (endpoint_id, event_xid, event_position) do nothing
    returning 1
  ),
  target as (
    (select xid, position from entries order by xid desc, position desc limit 1)
    union all
    select head.xid, 0 from cur, head
    where not exists (select 1 from hooks) and head.xid > cur.xid
  ),
  moved as (
    update webhook_dispatch_cursor c set xid = t.xid, position = t.position
    from target t where c.id = 1
    returning 1
  )
  select (select count(*) from cur)::int as locked, (select count(*) from hooks)::int as hooks,
         (select count(*) from entries)::int as read,
         (select count(*) from queued)::int as queued, (select count(*) from moved)::int as moved`;

/**
 * Claims due deliveries, one sender each (`FOR UPDATE SKIP LOCKED`), pushing each one's due time
 * out by the lease so that a sender that dies gives them back. A delivery is not due while an
 * earlier event of the same order for the same endpoint is still PENDING: an order's events
 * reach an endpoint in version order, and other orders' go on meanwhile.
 */
const CLAIM = `
  update webhook_deliveries d set
    next_attempt_at = now() + $2::float8 * interval '1 second',
    attempts = d.attempts + 1,
    claim_token = gen_random_uuid()
  from webhook_endpoints e
  where e.id = d.endpoint_id and d.id in (
    select d2.id from webhook_deliveries d2
    join webhook_endpoints e2 on e2.id = d2.endpoint_id and e2.enabled
    where d2.status = 'PENDING' and d2.next_attempt_at <= now()
      and not exists (
        select 1 from webhook_deliveries p
        where p.endpoint_id = d2.endpoint_id and p.order_id = d2.order_id
          and p.status = 'PENDING' and p.order_version < d2.order_version
      )
    order by d2.next_attempt_at
    limit $1
    for update of d2 skip locked
  )
  returning d.id, d.endpoint_id, d.order_id, d.order_version, d.event_xid::text as xid,
            d.event_position::text as position, d.event_at, d.attempts, d.claim_token,
            e.url, e.secret,
            case when e.previous_secret_expires_at > now() then e.previous_secret end
              as previous_secret`;

/** A delivery claimed by this process until it reports how the attempt went or its lease ends. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  orderId: string;
  orderVersion: number;
  event: EventPosition;
  eventAt: Date;
  /** Attempts so far, this one included. */
  attempts: number;
  claimToken: string;
  url: string;
  /** The signing secrets: the current one, and the one before a rotation while it is valid. */
  secrets: string[];
}

/** What a dispatch step did. */
export interface DispatchResult {
  /** False when another process holds the cursor. */
  locked: boolean;
  /** Enabled endpoints; with none, nothing was read. */
  hooks: number;
  read: number;
  queued: number;
}

/** How an attempt that did not deliver ends. */
export interface FailedAttempt {
  id: string;
  claimToken: string;
  statusCode: number | null;
  error: string;
  /** Wait before the next attempt. */
  delayMs: number;
  /** Retries stop (FAILED) when the next attempt would fall this long after queueing. */
  maxAgeHours: number;
}

/** The webhook deliveries as durable jobs: dispatched from the log, claimed, settled. */
export class WebhookQueue {
  constructor(private readonly db: SqlClient) {}

  /** Makes the dispatcher's cursor if there is none: events from now on are dispatched. */
  async ensureCursor(): Promise<void> {
    await this.db.query(
      `insert into webhook_dispatch_cursor (id, xid, position)
       values (1, pg_snapshot_xmin(pg_current_snapshot()), 0)
       on conflict (id) do nothing`,
      [],
    );
  }

  /** One dispatch step over up to `limit` log entries. */
  async dispatch(limit: number): Promise<DispatchResult> {
    const rows = await this.db.query<{
      locked: number;
      hooks: number;
      read: number;
      queued: number;
    }>(DISPATCH, [limit]);
    const row = rows[0];
    return {
      locked: (row?.locked ?? 0) > 0,
      hooks: row?.hooks ?? 0,
      read: row?.read ?? 0,
      queued: row?.queued ?? 0,
    };
  }

  /** Claims due deliveries for this process. */
  async claim(limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
    const rows = await this.db.query<{
      id: string;
      endpoint_id: string;
      order_id: string;
      order_version: number;
      xid: string;
      position: string;
      event_at: Date | string;
      attempts: number;
      claim_token: string;
      url: string;
      secret: string;
      previous_secret: string | null;
    }>(CLAIM, [limit, leaseSeconds]);
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      orderId: r.order_id,
      orderVersion: r.order_version,
      event: { xid: r.xid, position: r.position },
      eventAt: toDate(r.event_at),
      attempts: r.attempts,
      claimToken: r.claim_token,
      url: r.url,
      secrets: r.previous_secret === null ? [r.secret] : [r.secret, r.previous_secret],
    }));
  }

  /**
   * Marks a claimed delivery DELIVERED and its endpoint healthy; false if no longer claimed. The
   * endpoint row is written only when that changes something (or a second has passed), since
   * every concurrent delivery to the endpoint would otherwise wait for the one before to commit.
   */
  async delivered(id: string, claimToken: string, statusCode: number): Promise<boolean> {
    const rows = await this.db.query(
      `with d as (
         update webhook_deliveries set status = 'DELIVERED', delivered_at = now(),
                next_attempt_at = null, claim_token = null, last_status_code = $3,
                last_error = null
         where id = $1 and claim_token = $2
         returning endpoint_id
       )
       , e as (
         update webhook_endpoints e set failing_since = null, last_delivery_at = now()
         from d where e.id = d.endpoint_id
           and (e.failing_since is not null or e.last_delivery_at is null
                or e.last_delivery_at < now() - interval '1 second')
       )
       select 1 from d`,
      [id, claimToken, statusCode],
    );
    return rows.length > 0;
  }

  /**
   * Puts a failed attempt back for later, or marks it FAILED once retries would outlast the
   * max age; the endpoint is FAILING from its first failure on. Null when the claim was lost.
   */
  async failed(attempt: FailedAttempt): Promise<'PENDING' | 'FAILED' | null> {
    const rows = await this.db.query<{ status: 'PENDING' | 'FAILED' }>(
      `with d as (
         update webhook_deliveries set
           status = case
             when queued_at + $6::float8 * interval '1 hour'
                  < now() + $5::float8 * interval '1 millisecond'
             then 'FAILED'::webhook_delivery_status else 'PENDING'::webhook_delivery_status end,
           next_attempt_at = case
             when queued_at + $6::float8 * interval '1 hour'
                  < now() + $5::float8 * interval '1 millisecond'
             then null else now() + $5::float8 * interval '1 millisecond' end,
           claim_token = null, last_status_code = $3, last_error = $4
         where id = $1 and claim_token = $2
         returning endpoint_id, status::text as status
       ),
       e as (
         update webhook_endpoints e set failing_since = now()
         from d where e.id = d.endpoint_id and e.failing_since is null
       )
       select status from d`,
      [
        attempt.id,
        attempt.claimToken,
        attempt.statusCode,
        attempt.error,
        attempt.delayMs,
        attempt.maxAgeHours,
      ],
    );
    return rows[0]?.status ?? null;
  }

  /**
   * 410 Gone: the receiver says the endpoint is no more. The delivery is FAILED and the endpoint
   * disabled (its other deliveries wait, PENDING, should it be enabled again).
   */
  async gone(id: string, claimToken: string, statusCode: number, error: string): Promise<boolean> {
    const rows = await this.db.query(
      `with d as (
         update webhook_deliveries set status = 'FAILED', next_attempt_at = null,
                claim_token = null, last_status_code = $3, last_error = $4
         where id = $1 and claim_token = $2
         returning endpoint_id
       )
       update webhook_endpoints e set enabled = false,
              failing_since = coalesce(e.failing_since, now()), updated_at = now()
       from d where e.id = d.endpoint_id
       returning 1`,
      [id, claimToken, statusCode, error],
    );
    return rows.length > 0;
  }

  /** When the next PENDING delivery of an enabled endpoint falls due; null when none waits. */
  async nextDueAt(): Promise<Date | null> {
    const rows = await this.db.query<{ due: Date | string | null }>(
      `select min(d.next_attempt_at) as due from webhook_deliveries d
       join webhook_endpoints e on e.id = d.endpoint_id and e.enabled
       where d.status = 'PENDING'`,
      [],
    );
    const due = rows[0]?.due;
    return due === null || due === undefined ? null : toDate(due);
  }

  /** Per endpoint, seconds since its oldest PENDING delivery was queued (0: none waits). */
  async backlogAges(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ id: string; age: number | string | null }>(
      `select e.id, extract(epoch from now() - min(d.queued_at)) as age
       from webhook_endpoints e
       left join webhook_deliveries d on d.endpoint_id = e.id and d.status = 'PENDING'
       group by e.id`,
      [],
    );
    return new Map(rows.map((r) => [r.id, r.age === null ? 0 : Math.max(0, Number(r.age))]));
  }
}
