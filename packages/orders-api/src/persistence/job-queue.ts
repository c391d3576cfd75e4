import { CALL_FOLLOW_UPS, PAYMENT_ATTEMPT_FOLLOW_UPS, type FollowUp } from '@oms/order-lifecycle';
import { toDate, type SqlClient } from './sql.js';

/** Background work claimed by one worker until `claimToken` is cleared or its lease runs out. */
export interface ClaimedJob {
  id: string;
  followUp: FollowUp;
  total: number;
  currency: string;
  paymentToken: string | null;
  paymentId: string | null;
  attempts: number;
  claimToken: string;
  /** W3C traceparent stored at creation, so the job's spans join the order's trace. */
  traceParent: string | null;
}

/** A claimed job to put back for a later attempt, and why this attempt failed. */
export interface Retry {
  id: string;
  claimToken: string;
  delayMs: number;
  error: string;
}

const CLAIM = `
  update orders o set
    next_action_at = now() + $2::float8 * interval '1 second',
    attempts = o.attempts + 1,
    payment_attempts = o.payment_attempts
      + (case when o.next_action = any($4::text[]::order_follow_up[]) then 1 else 0 end),
    claim_token = gen_random_uuid()
  where o.id in (
    select id from orders
    where next_action = any($3::text[]::order_follow_up[]) and next_action_at <= now()
    order by next_action_at limit $1
    for update skip locked
  )
  returning o.id, o.next_action, o.total, o.currency, o.payment_token, o.payment_id,
            o.attempts, o.claim_token, o.trace_parent`;

/**
 * The order row is its own durable job: `next_action` is the pending follow-up and
 * `next_action_at` when it is due. Jobs that are calls to the payment provider are claimed
 * here, one worker each (`FOR UPDATE SKIP LOCKED`), under a lease that brings them back if the
 * claiming process dies; follow-ups that are lifecycle events are applied by OrderTransitions.
 */
export class JobQueue {
  constructor(private readonly db: SqlClient) {}

  /** Claims due provider calls for this worker, pushing each one's due time out by the lease. */
  async claimCalls(limit: number, leaseSeconds: number): Promise<ClaimedJob[]> {
    const rows = await this.db.query<{
      id: string;
      next_action: FollowUp;
      total: number;
      currency: string;
      payment_token: string | null;
      payment_id: string | null;
      attempts: number;
      claim_token: string;
      trace_parent: string | null;
    }>(CLAIM, [limit, leaseSeconds, CALL_FOLLOW_UPS, PAYMENT_ATTEMPT_FOLLOW_UPS]);
    return rows.map((r) => ({
      id: r.id,
      followUp: r.next_action,
      total: r.total,
      currency: r.currency,
      paymentToken: r.payment_token,
      paymentId: r.payment_id,
      attempts: r.attempts,
      claimToken: r.claim_token,
      traceParent: r.trace_parent,
    }));
  }

  /**
   * Puts claimed jobs back for later attempts, keeping why each failed; a no-op for any another
   * worker has claimed since.
   */
  async retryLater(retries: readonly Retry[]): Promise<void> {
    if (retries.length === 0) return;
    await this.db.query(
      `update orders o set next_action_at = now() + r.delay_ms * interval '1 millisecond',
              claim_token = null, last_error = r.error
       from unnest($1::uuid[], $2::uuid[], $3::float8[], $4::text[])
         as r(id, claim_token, delay_ms, error)
       where o.id = r.id and o.claim_token = r.claim_token`,
      [
        retries.map((r) => r.id),
        retries.map((r) => r.claimToken),
        retries.map((r) => r.delayMs),
        retries.map((r) => r.error),
      ],
    );
  }

  /** Marks a claimed job done; a no-op if another worker has claimed it since. */
  async complete(id: string, claimToken: string): Promise<void> {
    await this.db.query(
      `update orders set next_action = null, next_action_at = null, attempts = 0,
              last_error = null, claim_token = null
       where id = $1 and claim_token = $2`,
      [id, claimToken],
    );
  }

  /** When the next job falls due, or null when there is none. */
  async nextDueAt(): Promise<Date | null> {
    const rows = await this.db.query<{ due: Date | string | null }>(
      `select min(next_action_at) as due from orders where next_action is not null`,
      [],
    );
    const due = rows[0]?.due;
    return due === null || due === undefined ? null : toDate(due);
  }

  /**
   * Seconds the oldest due job has been waiting, or null when none is due. A job being worked on
   * is not due: its lease moved `next_action_at` ahead. Read on every metrics scrape, so it is
   * one `min()` over the partial `orders_due_idx`.
   */
  async oldestDueAgeSeconds(): Promise<number | null> {
    const rows = await this.db.query<{ age: number | string | null }>(
      `select extract(epoch from now() - min(next_action_at)) as age
       from orders where next_action is not null and next_action_at <= now()`,
      [],
    );
    const age = rows[0]?.age;
    return age === null || age === undefined ? null : Number(age);
  }
}
