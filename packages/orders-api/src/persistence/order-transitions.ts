import { queryRows } from '@oms/database';
import {
  FOLLOW_UP_WORK,
  LATE_CONFIRMATION,
  ORDER_TRANSITIONS,
  type FollowUp,
  type FollowUpWork,
  type OrderEvent,
  type OrderStatus,
  type TransitionRule,
} from '@oms/order-lifecycle';
import { sql, type SQL } from 'drizzle-orm';
import type { AppliedTransition, CancelResult, OrderCancellation } from '../domain/order-ports.js';
import { ORDER_EVENTS_CHANNEL } from './event-feed.js';
import { list, toDate, type OrdersDb } from './sql.js';

/** Which orders a transition applies to: given ids, or those whose follow-up is due. */
export type TransitionTarget =
  { kind: 'ids'; ids: readonly string[] } | { kind: 'due'; followUp: FollowUp; limit: number };

export interface TransitionOptions {
  /** Narrows the rule's allowed source states. */
  from?: readonly OrderStatus[];
  /** The caller's reason (cancels); the rule's default otherwise. */
  reason?: string | null;
  /** The payment provider's id, when the transition records a payment answer. */
  paymentId?: string | null;
}

/** How long after its transition each delayed follow-up falls due, in seconds. */
export interface FollowUpDelays {
  deliveryDelay: number;
}

type Row = { id: string; from_status: OrderStatus; version: number; updated_at: Date | string };
type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * Every status change, each one statement: a guarded update (only from the states the
 * lifecycle allows), its history row, its follow-up job and its NOTIFY, all or nothing. What a
 * transition leaves behind comes from the lifecycle's data; nothing here repeats a rule.
 */
export class OrderTransitions implements OrderCancellation {
  constructor(
    private readonly db: OrdersDb,
    private readonly delays: FollowUpDelays,
  ) {}

  /** Applies `event` to the target orders that are in a state it may leave; returns those. */
  async apply(
    target: TransitionTarget,
    event: OrderEvent,
    options: TransitionOptions = {},
  ): Promise<AppliedTransition[]> {
    const rule: TransitionRule = ORDER_TRANSITIONS[event];
    const from = options.from ?? rule.from;
    const candidates =
      target.kind === 'ids'
        ? sql`select id, status from orders
              where id in (${list(target.ids)}) and status in (${list(from)})
              for update`
        : sql`select id, status from orders
              where next_action = ${target.followUp}::order_follow_up and next_action_at <= now()
                and status in (${list(from)})
              order by next_action_at limit ${target.limit}
              for update skip locked`;
    const rows = await queryRows<Row>(
      this.db,
      sql`with prev as (${candidates}), ${this.changes(rule, options)}
          select id, from_status, version, updated_at, notified from upd`,
    );
    return rows.map((r) => applied(r, rule.to));
  }

  async cancel(
    id: string,
    customerId: string | null,
    reason: string | null,
  ): Promise<CancelResult> {
    const rule: TransitionRule = ORDER_TRANSITIONS.CANCEL_REQUESTED;
    // The lock makes the status read here the one the update sees: a transition committing
    // meanwhile is waited for, and then this one applies to what it left (or reports it).
    type CancelRow = Nullable<Row> & { current: OrderStatus; queued: boolean | null };
    const rows = await queryRows<CancelRow>(
      this.db,
      sql`with cur as (
            select id, status from orders
            where id = ${id}::uuid ${customerId === null ? sql`` : sql`and customer_id = ${customerId}`}
            for update
          ),
          prev as (select id, status from cur where status in (${list(rule.from)})),
          ${this.changes(rule, { reason })}
          select cur.status as current, upd.id, upd.from_status, upd.version, upd.updated_at,
                 upd.next_action is not null as queued
          from cur left join upd on upd.id = cur.id`,
    );
    const row = rows[0];
    if (row === undefined) return { found: false };
    const { id: appliedId, from_status, version, updated_at } = row;
    const done =
      appliedId === null || from_status === null || version === null || updated_at === null
        ? null
        : applied({ id: appliedId, from_status, version, updated_at }, rule.to);
    return {
      found: true,
      status: done === null ? row.current : rule.to,
      applied: done,
      releaseQueued: row.queued === true,
    };
  }

  /**
   * A confirmation arrived for an order that is no longer CREATED: where the lifecycle says the
   * money is owed back, queue its release. False when the answer was a duplicate.
   */
  async queueLateRelease(id: string, paymentId: string | null): Promise<boolean> {
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`update orders set next_action = ${LATE_CONFIRMATION.followUp}::order_follow_up,
                 next_action_at = now(), attempts = 0, claim_token = null,
                 payment_id = coalesce(payment_id, ${paymentId}::text)
          where id = ${id} and status in (${list(LATE_CONFIRMATION.owedIn)})
          returning id`,
    );
    return rows.length > 0;
  }

  /**
   * The `upd` and `hist` CTEs of a transition of the orders in `prev` (id, status): the new
   * state, version, time, reason and follow-up, and the history row.
   */
  private changes(rule: TransitionRule, options: TransitionOptions): SQL {
    const to = rule.to;
    const reason = rule.defaultReason === undefined ? null : (options.reason ?? rule.defaultReason);
    // Not now(): that is when the transaction began, and a cancel's transaction may have begun
    // before the confirmation it waited for committed. A transition is never stamped earlier
    // than the one before it.
    const at = sql`greatest(statement_timestamp(), o.updated_at)`;
    const followUp = this.followUpOf(rule);
    const dueAt =
      rule.followUp === null
        ? sql`null::timestamptz`
        : sql`case when ${followUp} is not null
                then ${at} + ${this.delayOf(rule.followUp)}::float8 * interval '1 second' end`;
    const paymentId =
      options.paymentId === undefined ? sql`o.payment_id` : sql`${options.paymentId}::text`;
    return sql`upd as (
        update orders o set
          status = ${to}::order_status,
          version = o.version + 1,
          updated_at = ${at},
          cancellation_reason = ${reason}::text,
          next_action = ${followUp},
          next_action_at = ${dueAt},
          attempts = 0,
          claim_token = null,
          payment_token = null,
          payment_id = ${paymentId}
        from prev where o.id = prev.id
        returning o.id, prev.status as from_status, o.version, o.updated_at, o.next_action,
                  pg_notify(${ORDER_EVENTS_CHANNEL}, o.id::text || ':' || o.version::text) as notified
      ),
      hist as (
        insert into order_transitions (order_id, seq, from_status, to_status, reason, at)
        select id, version, from_status, ${to}::order_status, ${reason}::text, updated_at from upd
      )`;
  }

  /** The follow-up column's new value, as the rule says (maybe depending on the order). */
  private followUpOf(rule: TransitionRule): SQL {
    if (rule.followUp === null) return sql`null::order_follow_up`;
    const followUp = sql`${rule.followUp}::order_follow_up`;
    // A payment call may have reached the provider once the order's PAY work was claimed.
    return rule.followUpIfPaymentAttempted === true
      ? sql`(case when o.payment_attempts > 0 then ${followUp} end)`
      : followUp;
  }

  private delayOf(followUp: FollowUp): number {
    const work: FollowUpWork = FOLLOW_UP_WORK[followUp];
    return work.kind === 'event' && work.delay !== undefined ? this.delays[work.delay] : 0;
  }
}

function applied(row: Row, to: OrderStatus): AppliedTransition {
  return {
    id: row.id,
    from: row.from_status,
    to,
    version: row.version,
    at: toDate(row.updated_at),
  };
}
