import type { Logger } from 'pino';
import { encodeEventCursor } from '../domain/event-cursor.js';
import { orderAtVersion, type OrderView } from '../domain/order.model.js';
import { webhookBody } from '../domain/webhook-payload.js';
import { signWebhook } from '../domain/webhook-signature.js';
import { WakeableSleep, delay } from '../lib/wakeable-sleep.js';
import type { ClaimedDelivery, WebhookQueue } from '../persistence/webhook-queue.js';
import { backoffMs } from './backoff.js';
import type { WebhookAnswer, WebhookHttp } from './webhook-http.js';

export interface WebhookSenderOptions {
  /** The first retry waits at least this long; each next one twice as long, up to a cap. */
  retryBaseMs: number;
  /** Retries stop (FAILED) this long after a delivery was queued. */
  retryMaxAgeHours: number;
  /** Bound on one request, connection to last byte read. */
  timeoutMs: number;
  allowPrivateNetworks: boolean;
  /** Requests in flight at most. */
  concurrency: number;
  /** Longest sleep when nothing is due. */
  idlePollMs: number;
}

/** How one attempt ended, for metrics. */
export type WebhookOutcome = 'delivered' | 'retry' | 'failed' | 'gone';

export interface WebhookSenderObservability {
  /** Told of every attempt's outcome; latency from the transition to a 2xx answer. */
  onAttempt?: (outcome: WebhookOutcome, latencySeconds: number | null) => void;
}

/** Longest wait between two attempts. */
export const RETRY_CAP_MS = 3_600_000;
/**
 * Shortest sleep when something is due but was not claimable: held by another process, or an
 * order's later event waiting for its earlier one (whose settling here wakes the loop anyway).
 */
const MIN_IDLE_MS = 50;
const WAKE_WINDOW_MS = 5;
const ERROR_EXCERPT = 200;

/**
 * Sends the deliveries the dispatcher queued: claims due ones (one process each, under a lease
 * that hands them back if this process dies), signs and POSTs them, and settles each by its
 * claim token, so a sender whose lease ran out cannot overwrite another's result.
 */
export class WebhookSender {
  private readonly inflight = new Set<Promise<void>>();
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly alarm = new WakeableSleep();

  constructor(
    private readonly queue: WebhookQueue,
    private readonly http: WebhookHttp,
    private readonly findOrders: (ids: readonly string[]) => Promise<OrderView[]>,
    private readonly options: WebhookSenderOptions,
    private readonly log: Logger,
    private readonly observability: WebhookSenderObservability = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loopDone = this.loop();
  }

  wake(): void {
    this.alarm.wake();
  }

  /** Stops claiming and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loopDone;
    await Promise.allSettled([...this.inflight]);
    this.http.close();
  }

  private async loop(): Promise<void> {
    while (this.running) {
      this.alarm.reset();
      const started = performance.now();
      let busy: boolean;
      try {
        busy = await this.pass();
      } catch (error) {
        this.log.error({ err: error }, 'webhook sender pass failed; retrying');
        await this.alarm.sleep(this.options.idlePollMs);
        continue;
      }
      if (busy) continue;
      if (this.alarm.woken) {
        await delay(started + WAKE_WINDOW_MS - performance.now());
        continue;
      }
      await this.alarm.sleep(await this.idleDelay());
    }
  }

  /** Claims and starts what is due; true when more may be due now. */
  private async pass(): Promise<boolean> {
    const free = this.options.concurrency - this.inflight.size;
    if (free <= 0) return false;
    const leaseSeconds = this.options.timeoutMs / 1000 + 5;
    const claimed = await this.queue.claim(free, leaseSeconds);
    if (claimed.length === 0) return false;
    const orders = await this.findOrders([...new Set(claimed.map((d) => d.orderId))]);
    const byId = new Map(orders.map((o) => [o.id, o]));
    for (const delivery of claimed) {
      const work = this.send(delivery, byId.get(delivery.orderId)).catch((error: unknown) => {
        // The lease brings it back; nothing is lost.
        this.log.error({ err: error, deliveryId: delivery.id }, 'webhook delivery failed');
      });
      this.inflight.add(work);
      void work.finally(() => {
        this.inflight.delete(work);
        // A settled delivery may let the next event of its order go, or free a slot.
        this.wake();
      });
    }
    return claimed.length === free;
  }

  private async idleDelay(): Promise<number> {
    if (this.inflight.size >= this.options.concurrency) return this.options.idlePollMs;
    const due = await this.queue.nextDueAt().catch(() => null);
    if (due === null) return this.options.idlePollMs;
    return Math.max(MIN_IDLE_MS, Math.min(this.options.idlePollMs, due.getTime() - Date.now()));
  }

  private async send(delivery: ClaimedDelivery, order: OrderView | undefined): Promise<void> {
    const snapshot = order === undefined ? null : orderAtVersion(order, delivery.orderVersion);
    const transition = snapshot?.history[delivery.orderVersion - 1];
    if (snapshot === null || transition === undefined) {
      await this.settle(delivery, { kind: 'failed', reason: 'the order event is missing' });
      return;
    }
    const body = webhookBody(
      {
        cursor: encodeEventCursor(delivery.event),
        orderId: delivery.orderId,
        version: delivery.orderVersion,
        from: transition.from,
        to: transition.to,
        at: transition.at,
        reason: transition.reason,
      },
      snapshot,
    );
    const timestamp = Math.floor(Date.now() / 1000);
    const answer = await this.http.post({
      url: delivery.url,
      headers: {
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(delivery.secrets, delivery.id, timestamp, body),
      },
      body,
      timeoutMs: this.options.timeoutMs,
      allowPrivateNetworks: this.options.allowPrivateNetworks,
    });
    await this.settle(delivery, answer);
  }

  private async settle(delivery: ClaimedDelivery, answer: WebhookAnswer): Promise<void> {
    const onAttempt = this.observability.onAttempt ?? (() => undefined);
    const context = {
      deliveryId: delivery.id,
      endpointId: delivery.endpointId,
      orderId: delivery.orderId,
      attempt: delivery.attempts,
    };
    if (answer.kind === 'answered' && answer.status >= 200 && answer.status < 300) {
      if (await this.queue.delivered(delivery.id, delivery.claimToken, answer.status)) {
        onAttempt('delivered', (Date.now() - delivery.eventAt.getTime()) / 1000);
      }
      return;
    }
    if (answer.kind === 'answered' && answer.status === 410) {
      const error = '410 Gone: the endpoint was disabled';
      if (await this.queue.gone(delivery.id, delivery.claimToken, 410, error)) {
        this.log.warn(context, 'webhook endpoint answered 410 Gone; disabled it');
        onAttempt('gone', null);
      }
      return;
    }
    const error = errorOf(answer);
    const status = await this.queue.failed({
      id: delivery.id,
      claimToken: delivery.claimToken,
      statusCode: answer.kind === 'answered' ? answer.status : null,
      error,
      delayMs: backoffMs(delivery.attempts, 2 * this.options.retryBaseMs, RETRY_CAP_MS),
      maxAgeHours: this.options.retryMaxAgeHours,
    });
    if (status === null) return;
    this.log.warn({ ...context, error, status }, 'webhook attempt failed');
    onAttempt(status === 'FAILED' ? 'failed' : 'retry', null);
  }
}

/** What the delivery's lastError says about an attempt that did not deliver. */
function errorOf(answer: WebhookAnswer): string {
  switch (answer.kind) {
    case 'answered': {
      const excerpt = answer.body.slice(0, ERROR_EXCERPT).trim();
      return `HTTP ${String(answer.status)}${excerpt === '' ? '' : `: ${excerpt}`}`;
    }
    case 'refused':
      return `destination refused: ${answer.reason}`;
    case 'failed':
      return answer.reason;
  }
}
