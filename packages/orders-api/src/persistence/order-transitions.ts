import {
  FOLLOW_UP_WORK,
  LATE_CONFIRMATION,
  ORDER_EVENTS,
  ORDER_TRANSITIONS,
  type FollowUp,
  type FollowUpWork,
  type OrderEvent,
  type OrderStatus,
  type TransitionRule,
} from '@oms/order-lifecycle';
import type {
  AppliedTransition,
  CancelRequest,
  CancelResult,
  OrderCancellation,
} from '../domain/order-ports.js';
import type { ActorView } from '../domain/order.model.js';
import { toDate, type SqlClient } from './sql.js';

/** Which orders a transition applies to: given ids, or those whose follow-up is due. */
export type TransitionTarget =
  | {
      kind: 'ids';
      ids: readonly string[];
      /** The payment provider's id for each order (same order as `ids`), when recording one. */
      paymentIds?: readonly (string | null)[];
    }
  | { kind: 'due'; followUp: FollowUp; limit: number };

export interface TransitionOptions {
  /** Narrows the rule's allowed source states. */
  from?: readonly OrderStatus[];
  /** The caller's reason (cancels); the rule's default otherwise. */
  reason?: string | null;
  /** Who asked, for a rule made by its requester. */
  requester?: ActorView;
}

/** How long after its transition each delayed follow-up falls due, in seconds. */
export interface FollowUpDelays {
  deliveryDelay: number;
}

type Row = { id: string; from_status: OrderStatus; version: number; updated_at: Date | string };
type Nullable<T> = { [K in keyof T]: T[K] | null };

/**
 * Every status change, each one statement: a guarded update (only from the states the
 * lifecycle allows), its history row (which is also the transition log) and its follow-up job,
 * all or nothing. What a transition leaves behind comes from the lifecycle's data; nothing here
 * repeats a rule. The texts are built once per rule and prepared once per connection.
 */
export class OrderTransitions implements OrderCancellation {
  private readonly byIds = new Map<OrderEvent, string>();
  private readonly due = new Map<OrderEvent, string>();
  private readonly cancelText: string;

  constructor(
    private readonly db: SqlClient,
    private readonly delays: FollowUpDelays,
    /** Told after every statement that committed transitions. */
    private readonly onCommitted: () => void = () => undefined,
  ) {
    for (const event of ORDER_EVENTS) {
      const rule: TransitionRule = ORDER_TRANSITIONS[event];
      // $1 ids, $2 payment ids, then the rule's
      this.byIds.set(
        event,
        `with input as (
           select * from unnest($1::uuid[], $2::text[]) as i(id, payment_id)
         ),
         prev as (
           select o.id, o.status, input.payment_id from orders o join input on input.id = o.id
           where o.status = any($3::text[]::order_status[])
           -- Rows are locked in one order, so two statements can never wait on each other.
           order by o.id
           for update of o
         ),
         ${changes(rule, 2)}
         select id, from_status, version, updated_at from upd`,
      );
      // $1 follow-up, $2 limit, then the rule's
      this.due.set(
        event,
        `with prev as (
           select id, status, null::text as payment_id from orders
           where next_action = $1::order_follow_up and next_action_at <= now()
             and status = any($3::text[]::order_status[])
           order by next_action_at limit $2
           for update skip locked
         ),
         ${changes(rule, 2)}
         select id, from_status, version, updated_at from upd`,
      );
    }
    // $1 id, $2 customer (null: any), then the rule's, then the expected version (null: any).
    // The lock makes the status and version read here the ones the update sees: a transition
    // committing meanwhile is waited for, and this one then applies to what it left (or
    // reports it), so two cancels expecting the same version cannot both succeed.
    this.cancelText = `with cur as (
        select id, status, version from orders
        where id = $1::uuid and ($2::text is null or customer_id = $2::text)
        for update
      ),
      prev as (
        select id, status, null::text as payment_id from cur
        where status = any($3::text[]::order_status[])
          and ($10::int is null or version = $10::int)
      ),
      ${changes(ORDER_TRANSITIONS.CANCEL_REQUESTED, 2)}
      select cur.status as current, cur.version as current_version, upd.id, upd.from_status,
             upd.version, upd.updated_at, upd.next_action is not null as queued
      from cur left join upd on upd.id = cur.id`;
  }

  /** Applies `event` to the target orders that are in a state it may leave; returns those. */
  async apply(
    target: TransitionTarget,
    event: OrderEvent,
    options: TransitionOptions = {},
  ): Promise<AppliedTransition[]> {
    const rule: TransitionRule = ORDER_TRANSITIONS[event];
    if (target.kind === 'ids' && target.ids.length === 0) return [];
    const [text, head] =
      target.kind === 'ids'
        ? [this.byIds.get(event), [target.ids, target.paymentIds ?? target.ids.map(() => null)]]
        : [this.due.get(event), [target.followUp, target.limit]];
    const rows = await this.db.query<Row>(text ?? '', [...head, ...this.ruleParams(rule, options)]);
    if (rows.length > 0) this.onCommitted();
    return rows.map((r) => applied(r, rule.to));
  }

  async cancel({
    id,
    customerId,
    reason,
    actor,
    expectedVersion,
  }: CancelRequest): Promise<CancelResult> {
    const rule: TransitionRule = ORDER_TRANSITIONS.CANCEL_REQUESTED;
    const rows = await this.db.query<
      Nullable<Row> & { current: OrderStatus; current_version: number; queued: boolean | null }
    >(this.cancelText, [
      id,
      customerId,
      ...this.ruleParams(rule, { reason, requester: actor }),
      expectedVersion,
    ]);
    const row = rows[0];
    if (row === undefined) return { found: false };
    const { id: appliedId, from_status, version, updated_at } = row;
    const done =
      appliedId === null || from_status === null || version === null || updated_at === null
        ? null
        : applied({ id: appliedId, from_status, version, updated_at }, rule.to);
    if (done !== null) this.onCommitted();
    return {
      found: true,
      status: done === null ? row.current : rule.to,
      version: done === null ? row.current_version : done.version,
      applied: done,
      releaseQueued: row.queued === true,
    };
  }

  /**
   * Confirmations that arrived for orders no longer CREATED: where the lifecycle says the money
   * is owed back, queue its release. Returns the orders that now owe a release.
   */
  async queueLateReleases(
    orders: readonly { id: string; paymentId: string | null }[],
  ): Promise<string[]> {
    if (orders.length === 0) return [];
    const rows = await this.db.query<{ id: string }>(
      `update orders o set next_action = $3::order_follow_up, next_action_at = now(),
              attempts = 0, last_error = null, claim_token = null,
              payment_id = coalesce(o.payment_id, i.payment_id)
       from unnest($1::uuid[], $2::text[]) as i(id, payment_id)
       where o.id = i.id and o.status = any($4::text[]::order_status[])
       returning o.id`,
      [
        orders.map((o) => o.id),
        orders.map((o) => o.paymentId),
        LATE_CONFIRMATION.followUp,
        LATE_CONFIRMATION.owedIn,
      ],
    );
    return rows.map((r) => r.id);
  }

  private ruleParams(rule: TransitionRule, options: TransitionOptions): unknown[] {
    const reason = rule.defaultReason === undefined ? null : (options.reason ?? rule.defaultReason);
    const actor = rule.actor === 'REQUESTER' ? options.requester : { kind: rule.actor, id: null };
    if (actor === undefined) throw new Error(`a transition to ${rule.to} needs its requester`);
    return [
      options.from ?? rule.from,
      rule.to,
      reason,
      rule.followUp,
      rule.followUp === null ? 0 : this.delayOf(rule.followUp),
      actor.kind,
      actor.id,
    ];
  }

  private delayOf(followUp: FollowUp): number {
    const work: FollowUpWork = FOLLOW_UP_WORK[followUp];
    return work.kind === 'event' && work.delay !== undefined ? this.delays[work.delay] : 0;
  }
}

/**
 * The `upd` and `hist` parts of a transition of the orders in `prev` (id, status, payment_id):
 * the new state, version, time, reason, follow-up and payment id, and the history row. The
 * rule's parameters follow the target's `offset` ones: allowed source states, new state,
 * reason, follow-up, the follow-up's delay in seconds, the actor's kind and id (see
 * `ruleParams`).
 */
function changes(rule: TransitionRule, offset: number): string {
  const p = (n: number) => `$${offset + n}`;
  const to = `${p(2)}::order_status`;
  const followUp =
    rule.followUpIfPaymentAttempted === true
      ? // A payment call may have reached the provider once the order's PAY work was claimed.
        `(case when o.payment_attempts > 0 then ${p(4)}::order_follow_up end)`
      : `${p(4)}::order_follow_up`;
  // Not now(): that is when the transaction began, and a cancel's transaction may have begun
  // before the confirmation it waited for committed. A transition is never stamped earlier
  // than the one before it.
  const at = `greatest(statement_timestamp(), o.updated_at)`;
  return `upd as (
      update orders o set
        status = ${to},
        version = o.version + 1,
        updated_at = ${at},
        cancellation_reason = ${p(3)}::text,
        next_action = ${followUp},
        next_action_at = case when ${followUp} is not null
                           then ${at} + ${p(5)}::float8 * interval '1 second' end,
        attempts = 0,
        last_error = null,
        claim_token = null,
        payment_token = null,
        payment_id = coalesce(prev.payment_id, o.payment_id)
      from prev where o.id = prev.id
      returning o.id, prev.status as from_status, o.version, o.updated_at, o.next_action
    ),
    hist as (
      insert into order_transitions (order_id, seq, from_status, to_status, reason, at,
                                     actor_kind, actor_id)
      select id, version, from_status, ${to}, ${p(3)}::text, updated_at, ${p(6)}::actor_kind,
             ${p(7)}::text
      from upd
    )`;
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
