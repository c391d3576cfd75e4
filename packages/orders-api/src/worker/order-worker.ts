import {
  EVENT_FOLLOW_UPS,
  FOLLOW_UP_WORK,
  PAYMENT_ANSWER_EVENTS,
  type FollowUpWork,
  type OrderEvent,
} from '@oms/order-lifecycle';
import { contextFromTraceParent } from '@oms/telemetry/trace-context';
import { SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TransitionObserver } from '../domain/order-ports.js';
import type { ClaimedJob, JobQueue, Retry } from '../persistence/job-queue.js';
import type {
  OrderTransitions,
  TransitionOptions,
  TransitionTarget,
} from '../persistence/order-transitions.js';
import {
  DEFAULT_PAYMENT_TOKEN,
  paymentOutcome,
  type ChargeRequest,
  type PaymentCallResult,
  type PaymentsClient,
} from '../payments/payments.client.js';
import { WakeableSleep, delay } from '../lib/wakeable-sleep.js';
import { backoffMs } from './backoff.js';

export interface OrderWorkerOptions {
  paymentTimeoutMs: number;
  paymentMaxAttempts: number;
  paymentRetryBaseMs: number;
  batchSize: number;
  concurrency: number;
  idlePollMs: number;
}

export interface OrderWorkerObservability {
  /** Makes a span per job, in the trace stored with its order. */
  tracer?: Tracer;
  /** Told of transitions the worker committed (for metrics). */
  onTransitions?: TransitionObserver;
}

const RETRY_CAP_MS = 30_000;
const RELEASE_RETRY_CAP_MS = 60_000;
const MIN_IDLE_MS = 10;
/**
 * Shortest time from the start of one pass to the start of the next when wakes keep coming.
 * Every new order, finished payment call and NOTIFY wakes the worker; a pass per wake was a
 * dozen statements per order (bench/README.md). Waiting out this window lets one pass claim and
 * deliver everything that arrived meanwhile, at the cost of a few milliseconds of latency.
 */
const WAKE_WINDOW_MS = 5;

/**
 * Runs the background work stored on order rows: payment calls, deliveries that fall due, and
 * releases of money after a cancel. Any number of processes may run one on the same database;
 * `FOR UPDATE SKIP LOCKED` hands each job to one of them, and leases bring back the jobs of a
 * process that died.
 */
export class OrderWorker {
  private readonly inflight = new Set<Promise<void>>();
  /** Jobs in the calls in flight (a batch call holds several). */
  private busyJobs = 0;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly alarm = new WakeableSleep();
  /** Set when the last pass reached the database, for /ready. */
  healthy = true;

  constructor(
    private readonly jobs: JobQueue,
    private readonly transitions: OrderTransitions,
    private readonly payments: PaymentsClient,
    private readonly options: OrderWorkerOptions,
    private readonly log: Logger,
    private readonly observability: OrderWorkerObservability = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Asks the loop to look for work now instead of at its next scheduled time. */
  wake(): void {
    this.alarm.wake();
  }

  /** Stops claiming work and waits for the calls in flight to finish. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.inflight]);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.alarm.reset();
      const passStarted = performance.now();
      let busy: boolean;
      try {
        busy = await this.pass();
        this.healthy = true;
      } catch (error) {
        this.healthy = false;
        this.log.error({ err: error }, 'worker pass failed; retrying');
        await this.alarm.sleep(this.options.idlePollMs);
        continue;
      }
      if (busy) continue;
      if (this.alarm.woken) {
        // Woken during the pass: there is work, and when is known, so no query for it.
        await delay(passStarted + WAKE_WINDOW_MS - performance.now());
        continue;
      }
      // sleep() returns at once when something wakes the worker while it asks for the delay.
      await this.alarm.sleep(await this.idleDelay());
    }
  }

  /** One round of work; true when there may be more due right now. */
  private async pass(): Promise<boolean> {
    const { batchSize, concurrency } = this.options;
    let full = false;
    for (const { followUp, event } of EVENT_FOLLOW_UPS) {
      const applied = await this.applyTransition(
        { kind: 'due', followUp, limit: batchSize },
        event,
      );
      full ||= applied.length === batchSize;
    }
    const free = Math.min(batchSize, concurrency - this.busyJobs);
    let claimed: ClaimedJob[] = [];
    if (free > 0) {
      const leaseSeconds = (this.options.paymentTimeoutMs + 5_000) / 1000;
      claimed = await this.jobs.claimCalls(free, leaseSeconds);
      const charges = claimed.filter((job) => callOf(job) === 'charge');
      // One order: its own call, traced in its own trace. More: batch calls, each tracked and
      // applied on its own, so a slow call holds back only the orders it carries.
      for (let start = 0; start < charges.length; start += this.payments.batchSize) {
        const call = charges.slice(start, start + this.payments.batchSize);
        const [only] = call;
        if (call.length === 1 && only !== undefined) this.track(call, this.runJob(only));
        else this.track(call, this.payBatch(call));
      }
      for (const job of claimed) {
        if (callOf(job) !== 'charge') this.track([job], this.runJob(job));
      }
    }
    return full || (free > 0 && claimed.length === free);
  }

  private async idleDelay(): Promise<number> {
    if (this.busyJobs >= this.options.concurrency) return this.options.idlePollMs;
    const due = await this.jobs.nextDueAt().catch(() => null);
    if (due === null) return this.options.idlePollMs;
    // Work that is due but was not claimable this pass (held by another process) is retried
    // shortly rather than in a busy loop.
    return Math.max(MIN_IDLE_MS, Math.min(this.options.idlePollMs, due.getTime() - Date.now()));
  }

  private track(jobs: readonly ClaimedJob[], work: Promise<void>): void {
    this.inflight.add(work);
    this.busyJobs += jobs.length;
    void work.finally(() => {
      this.inflight.delete(work);
      this.busyJobs -= jobs.length;
      // A finished job may have made a delivery due now or freed a slot.
      this.wake();
    });
  }

  /**
   * Runs a job in a span of the order's trace (continued from the traceparent stored when it was
   * created), so its payment call, payments-api's work and the resulting transition join the
   * request that created the order, and its log lines carry that trace id.
   */
  private async runJob(job: ClaimedJob): Promise<void> {
    const parent = contextFromTraceParent(job.traceParent);
    const call = callOf(job);
    const span = this.tracer.startSpan(
      call === 'charge' ? 'order pay' : 'order release payment',
      { attributes: { 'order.id': job.id, 'order.job.attempt': job.attempts } },
      parent,
    );
    await context.with(trace.setSpan(parent, span), async () => {
      try {
        if (call === 'charge') await this.pay(job);
        else if (call === 'release') await this.release(job);
        else throw new Error(`${job.followUp} is not a call to the payment provider`);
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR });
        // The lease brings the job back; nothing is lost.
        this.log.error({ err: error, orderId: job.id, followUp: job.followUp }, 'job failed');
      } finally {
        span.end();
      }
    });
  }

  private get tracer(): Tracer {
    return this.observability.tracer ?? trace.getTracer('orders-api');
  }

  /** A transition on the worker's own connection (committed on return), counted and traced. */
  private async applyTransition(
    target: TransitionTarget,
    event: OrderEvent,
    options: TransitionOptions = {},
  ) {
    // Deliveries run in batches outside any order's context; only a job's transition is a span.
    const span =
      trace.getSpan(context.active()) === undefined
        ? undefined
        : this.tracer.startSpan(`order transition ${event}`);
    try {
      const applied = await this.transitions.apply(target, event, options);
      this.observability.onTransitions?.(applied);
      const [first] = applied;
      if (first !== undefined)
        span?.setAttributes({ 'order.from': first.from, 'order.to': first.to });
      span?.setAttribute('order.transitions', applied.length);
      return applied;
    } finally {
      span?.end();
    }
  }

  private async pay(job: ClaimedJob): Promise<void> {
    const result = await this.payments.charge(chargeOf(job));
    this.logAnswer(job, result);
    const ids = { kind: 'ids', ids: [job.id] } as const;
    if (result.kind === 'answer') {
      // refunded or voided answers mean no money is held: for the lifecycle, not paid.
      const confirmed = result.status === 'confirmed';
      const event = confirmed ? PAYMENT_ANSWER_EVENTS.confirmed : PAYMENT_ANSWER_EVENTS.declined;
      const applied = await this.applyPaid(event, [{ id: job.id, paymentId: result.paymentId }]);
      if (applied.size > 0) return;
      // The order left CREATED while the call was in flight; the lifecycle says what is owed.
      const late = confirmed ? [{ id: job.id, paymentId: result.paymentId }] : [];
      if ((await this.transitions.queueLateReleases(late)).length > 0) this.wake();
      return;
    }
    const exhausted = job.attempts >= this.options.paymentMaxAttempts;
    if (result.kind === 'rejected' || exhausted) {
      this.log.warn(
        { orderId: job.id, attempts: job.attempts, reason: result.reason },
        'payment failed',
      );
      await this.applyTransition(ids, PAYMENT_ANSWER_EVENTS.failed);
      return;
    }
    await this.retryLater(job, result.reason, RETRY_CAP_MS, 'payment retry');
  }

  /**
   * Pays several orders with one call to the provider, each order keeping its own answer, and
   * applies the answers one statement per outcome. The call's span links to each order's trace.
   */
  private async payBatch(jobs: readonly ClaimedJob[]): Promise<void> {
    const span = this.tracer.startSpan('order pay batch', {
      attributes: { 'order.count': jobs.length },
      links: jobs.flatMap((job) => {
        const linked = trace.getSpanContext(contextFromTraceParent(job.traceParent));
        return linked === undefined ? [] : [{ context: linked }];
      }),
    });
    try {
      await context.with(trace.setSpan(context.active(), span), async () => {
        const results = await this.payments.chargeMany(jobs.map(chargeOf));
        const outcome = { confirmed: [] as Paid[], declined: [] as Paid[], failed: [] as string[] };
        const retries: Retry[] = [];
        jobs.forEach((job, i) => {
          // The lines about one order carry its own trace, as when it is paid alone.
          context.with(contextFromTraceParent(job.traceParent), () => {
            const result = results[i] ?? { kind: 'retry', reason: 'no answer for this order' };
            this.logAnswer(job, result);
            if (result.kind === 'answer') {
              const paid = { id: job.id, paymentId: result.paymentId };
              (result.status === 'confirmed' ? outcome.confirmed : outcome.declined).push(paid);
            } else if (
              result.kind === 'rejected' ||
              job.attempts >= this.options.paymentMaxAttempts
            ) {
              this.log.warn(
                { orderId: job.id, attempts: job.attempts, reason: result.reason },
                'payment failed',
              );
              outcome.failed.push(job.id);
            } else {
              this.log.warn(
                { orderId: job.id, attempts: job.attempts, reason: result.reason },
                'payment retry',
              );
              retries.push({
                ...job,
                delayMs: this.retryDelay(job, RETRY_CAP_MS),
                error: result.reason,
              });
            }
          });
        });
        const confirmed = await this.applyPaid(PAYMENT_ANSWER_EVENTS.confirmed, outcome.confirmed);
        await this.applyPaid(PAYMENT_ANSWER_EVENTS.declined, outcome.declined);
        await this.applyTransition(
          { kind: 'ids', ids: outcome.failed },
          PAYMENT_ANSWER_EVENTS.failed,
        );
        await this.jobs.retryLater(
          retries.map(({ id, claimToken, delayMs, error }) => ({ id, claimToken, delayMs, error })),
        );
        // Orders that left CREATED while the call was in flight: the lifecycle says what is owed.
        const late = outcome.confirmed.filter((paid) => !confirmed.has(paid.id));
        if ((await this.transitions.queueLateReleases(late)).length > 0) this.wake();
      });
    } catch (error) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      // The leases bring the jobs back; nothing is lost.
      this.log.error({ err: error, orders: jobs.length }, 'batch payment failed');
    } finally {
      span.end();
    }
  }

  /** Applies a payment answer to the orders it is for; returns those it applied to. */
  private async applyPaid(event: OrderEvent, paid: readonly Paid[]): Promise<Set<string>> {
    const applied = await this.applyTransition(
      { kind: 'ids', ids: paid.map((p) => p.id), paymentIds: paid.map((p) => p.paymentId) },
      event,
    );
    return new Set(applied.map((a) => a.id));
  }

  private async release(job: ClaimedJob): Promise<void> {
    let result =
      job.paymentId === null
        ? await this.payments.void(job.id)
        : await this.payments.refund(job.paymentId, job.id);
    this.logAnswer(job, result);
    if (result.kind === 'rejected' && result.status === 404 && job.paymentId !== null) {
      result = await this.payments.void(job.id);
      this.logAnswer(job, result);
    }
    if (result.kind === 'retry') {
      // Money owed back is retried for as long as it takes, never given up on.
      await this.retryLater(job, result.reason, RELEASE_RETRY_CAP_MS, 'refund retry');
      return;
    }
    if (result.kind === 'rejected' && result.status !== 409) {
      // 409: nothing to refund (declined or voided). Anything else needs a person.
      this.log.error({ orderId: job.id, reason: result.reason }, 'refund refused by provider');
    }
    await this.jobs.complete(job.id, job.claimToken);
  }

  private logAnswer(job: ClaimedJob, result: PaymentCallResult): void {
    this.log.debug(
      {
        orderId: job.id,
        followUp: job.followUp,
        attempt: job.attempts,
        outcome: paymentOutcome(result),
      },
      'payments-api answered',
    );
  }

  /** Puts the job back for its next attempt, after the backoff for the attempts so far. */
  private async retryLater(
    job: ClaimedJob,
    reason: string,
    capMs: number,
    what: string,
  ): Promise<void> {
    this.log.warn({ orderId: job.id, attempts: job.attempts, reason }, what);
    await this.jobs.retryLater([
      {
        id: job.id,
        claimToken: job.claimToken,
        delayMs: this.retryDelay(job, capMs),
        error: reason,
      },
    ]);
  }

  /** The backoff before a job's next attempt, for the attempts so far. */
  private retryDelay(job: ClaimedJob, capMs: number): number {
    return backoffMs(job.attempts, this.options.paymentRetryBaseMs, capMs);
  }
}

/** An order and the provider's id for its payment. */
interface Paid {
  id: string;
  paymentId: string;
}

/** Which provider call a claimed job is. */
function callOf(job: ClaimedJob): 'charge' | 'release' | null {
  const work: FollowUpWork = FOLLOW_UP_WORK[job.followUp];
  return work.kind === 'call' ? work.call : null;
}

function chargeOf(job: ClaimedJob): ChargeRequest {
  return {
    orderId: job.id,
    amount: job.total,
    currency: job.currency,
    paymentToken: job.paymentToken ?? DEFAULT_PAYMENT_TOKEN,
  };
}
