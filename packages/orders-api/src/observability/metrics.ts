import { createHttpMetrics } from '@oms/telemetry/http-metrics';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TransitionRecord } from '../domain/order.model.js';

/** One call to payments-api and what it came to (see `paymentOutcome`). */
export interface PaymentCallRecord {
  call: 'charge' | 'refund' | 'void';
  outcome: string;
  seconds: number;
}

/**
 * orders-api's Prometheus metrics, in a registry of this instance's own (never prom-client's
 * global one: tests run several instances in one process). Labels are route templates, operation
 * names from the schema, statuses and outcome codes, never ids, so the number of series stays
 * bounded whatever clients send.
 */
export class OrdersMetrics {
  readonly registry = new Registry();

  private readonly http = createHttpMetrics(this.registry);
  readonly httpRequests = this.http.requests;
  readonly httpDuration = this.http.duration;

  readonly graphqlOperations = new Counter({
    name: 'graphql_operations_total',
    help: 'GraphQL operations (HTTP and WebSocket) by root fields, type and outcome (ok or the error code)',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly graphqlDuration = new Histogram({
    name: 'graphql_operation_duration_seconds',
    help: 'Time to answer a GraphQL operation (for a subscription: to set it up)',
    labelNames: ['operation', 'type'] as const,
    registers: [this.registry],
  });

  readonly transitions = new Counter({
    name: 'orders_transitions_total',
    help: 'Committed order status changes; from="NONE" for a new order. Counted once, by the process that committed it',
    labelNames: ['from', 'to'] as const,
    registers: [this.registry],
  });

  readonly paymentCalls = new Counter({
    name: 'orders_payment_calls_total',
    help: 'Calls to payments-api by kind (charge, refund, void) and outcome (the answer, or why none came)',
    labelNames: ['call', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly paymentDuration = new Histogram({
    name: 'orders_payment_call_duration_seconds',
    help: 'Time a call to payments-api took, timeouts included',
    labelNames: ['call'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });

  readonly activeSubscriptions = new Gauge({
    name: 'graphql_active_subscriptions',
    help: 'GraphQL subscriptions open on this process',
    registers: [this.registry],
  });

  readonly admissionRefusals = new Counter({
    name: 'orders_admission_refusals_total',
    help: 'Operations starting new work (createOrder) refused by admission control, by reason: backlog (the oldest due job is too old) or concurrency (the limit is reached)',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  /**
   * @param oldestDueJobAge seconds the oldest due background job has waited (null: none due);
   *   read from the database on every scrape, so the figure is the same whichever process is asked
   * @param onScrapeError told when that read fails; the gauge then reads NaN rather than a stale value
   */
  constructor(
    oldestDueJobAge: () => Promise<number | null>,
    onScrapeError: (error: unknown) => void,
  ) {
    collectDefaultMetrics({ register: this.registry });
    new Gauge({
      name: 'orders_oldest_due_job_age_seconds',
      help: 'How long the oldest background job (payment, delivery, refund) that is due has been waiting; 0 when none is due',
      registers: [this.registry],
      async collect() {
        try {
          this.set((await oldestDueJobAge()) ?? 0);
        } catch (error) {
          onScrapeError(error);
          this.set(Number.NaN);
        }
      },
    });
  }

  /** Shows admission control's concurrency limit and the createOrders in flight, read at scrape time. */
  watchAdmission(state: () => { limit: number; inFlight: number }): void {
    new Gauge({
      name: 'orders_admission_limit',
      help: 'How many createOrders admission control lets run at once now (it adapts to their latency)',
      registers: [this.registry],
      collect() {
        this.set(state().limit);
      },
    });
    new Gauge({
      name: 'orders_admission_in_flight',
      help: 'createOrders admitted and not yet answered',
      registers: [this.registry],
      collect() {
        this.set(state().inFlight);
      },
    });
  }

  readonly webhookDeliveries = new Counter({
    name: 'orders_webhook_attempts_total',
    help: 'Webhook requests by outcome: delivered (2xx), retry (failed, to be retried), failed (retries ran out), gone (410: endpoint disabled)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly webhookLatency = new Histogram({
    name: 'orders_webhook_delivery_latency_seconds',
    help: 'Time from a transition to the 2xx answer of the webhook request that delivered it',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });

  /**
   * Shows, per webhook endpoint, how long its oldest PENDING delivery has waited, read from the
   * database at scrape time. Endpoints are few and made by admins, so their ids are labels.
   */
  watchWebhookBacklog(
    ages: () => Promise<Map<string, number>>,
    onScrapeError: (error: unknown) => void,
  ): void {
    new Gauge({
      name: 'orders_webhook_backlog_age_seconds',
      help: 'Per webhook endpoint, how long its oldest PENDING delivery has waited since it was queued; 0 when none waits',
      labelNames: ['endpoint'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        try {
          for (const [endpoint, age] of await ages()) this.set({ endpoint }, age);
        } catch (error) {
          onScrapeError(error);
        }
      },
    });
  }

  /** Counts a webhook attempt, and the delivery latency of one that delivered. */
  recordWebhookAttempt(outcome: string, latencySeconds: number | null): void {
    this.webhookDeliveries.inc({ outcome });
    if (latencySeconds !== null) this.webhookLatency.observe(latencySeconds);
  }

  /** Counts transitions that have just been committed. */
  recordTransitions(applied: readonly TransitionRecord[]): void {
    for (const { from, to } of applied) this.transitions.inc({ from: from ?? 'NONE', to });
  }

  recordPaymentCall({ call, outcome, seconds }: PaymentCallRecord): void {
    this.paymentCalls.inc({ call, outcome });
    this.paymentDuration.observe({ call }, seconds);
  }
}
