import { createHttpMetrics } from '@oms/telemetry/http-metrics';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * payments-api's Prometheus metrics, in a registry of this instance's own (never prom-client's
 * global one: tests run several instances in one process). Labels are route templates and
 * outcomes, never ids or keys.
 */
export class PaymentsMetrics {
  readonly registry = new Registry();

  private readonly http = createHttpMetrics(this.registry);
  readonly httpRequests = this.http.requests;
  readonly httpDuration = this.http.duration;

  readonly charges = new Counter({
    name: 'payments_charges_total',
    help: 'Charges (a request to POST /payments, or one item of a batch) by outcome: confirmed, declined or refunded (new), replayed, key_reused, invalid (a batch item that broke the schema)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly batchSizes = new Histogram({
    name: 'payments_batch_charges',
    help: 'Charges (items) per POST /payments/batch request, valid or not',
    buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500],
    registers: [this.registry],
  });

  readonly refunds = new Counter({
    name: 'payments_refunds_total',
    help: 'Refund requests by outcome: refunded, already_refunded, not_refundable, not_found',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly voids = new Counter({
    name: 'payments_voids_total',
    help: 'Void requests by outcome: voided (nothing charged yet), refunded, unchanged, key_reused',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }
}
