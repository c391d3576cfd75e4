/**
 * HTTP client for payments-api. It only classifies answers; what to do with them is the
 * worker's business. Every call carries the order id as its Idempotency-Key, so a retry after a
 * timeout can never charge twice, and the W3C `traceparent` of its span, so payments-api's work
 * joins the order's trace.
 */

import { PaymentSchema, type ChargeBody, type PaymentStatus } from '@oms/payments-api/contract';
import { traceHeaders } from '@oms/telemetry/trace-context';
import { SpanKind, SpanStatusCode, context, trace, type Tracer } from '@opentelemetry/api';
import { Compile } from 'typebox/compile';
import type { PaymentCallRecord } from '../observability/metrics.js';

/** What a payment call came to. */
export type PaymentCallResult =
  | { kind: 'answer'; status: PaymentStatus; paymentId: string }
  /** Timeouts, network errors, 5xx, 429, auth trouble: worth another try later. */
  | { kind: 'retry'; reason: string }
  /** The provider refused the request as such (4xx): another try would get the same. */
  | { kind: 'rejected'; reason: string; status: number };

/** The body of a charge, as payments-api's contract defines it. */
export type ChargeRequest = ChargeBody;

export interface PaymentsClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
  /** Makes a client span per call; without one, calls still carry the active trace context. */
  tracer?: Tracer;
  /** Told the kind, outcome and duration of every call (for metrics). */
  onCall?: (record: PaymentCallRecord) => void;
}

/** Token sent when an order names no payment credential: the provider draws the outcome. */
export const DEFAULT_PAYMENT_TOKEN = 'tok_default';

// Every 2xx of payments-api is a payment record; anything else is a provider fault.
const paymentRecord = Compile(PaymentSchema);

export class PaymentsClient {
  constructor(private readonly options: PaymentsClientOptions) {}

  /** Asks for the order to be paid. */
  charge(request: ChargeRequest): Promise<PaymentCallResult> {
    return this.call('charge', '/payments', '/payments', request.orderId, request);
  }

  /** Asks for several orders to be paid; each gets its own result, in order. */
  chargeMany(requests: readonly ChargeRequest[]): Promise<PaymentCallResult[]> {
    return Promise.all(requests.map((request) => this.charge(request)));
  }

  /** Refunds a confirmed payment; already refunded is fine (the provider answers the same). */
  refund(paymentId: string, orderId: string): Promise<PaymentCallResult> {
    const path = `/payments/${encodeURIComponent(paymentId)}/refund`;
    return this.call('refund', path, '/payments/{id}/refund', orderId, {});
  }

  /**
   * Makes sure no money stays captured under this order's key: refunds a confirmed payment and
   * blocks a charge that has not arrived yet.
   */
  void(orderId: string): Promise<PaymentCallResult> {
    return this.call('void', '/payments/void', '/payments/void', orderId, { orderId });
  }

  /** One call in a client span, measured; `route` is the path's template, for the span's name. */
  private async call(
    kind: PaymentCallRecord['call'],
    path: string,
    route: string,
    key: string,
    body: object,
  ): Promise<PaymentCallResult> {
    const tracer = this.options.tracer ?? trace.getTracer('orders-api');
    const span = tracer.startSpan(`POST ${route}`, {
      kind: SpanKind.CLIENT,
      attributes: { 'http.request.method': 'POST', 'url.template': route, 'payment.call': kind },
    });
    const started = performance.now();
    const result = await context.with(trace.setSpan(context.active(), span), () =>
      this.send(path, key, body),
    );
    const outcome = paymentOutcome(result);
    span.setAttribute('payment.outcome', outcome);
    if (result.kind !== 'answer') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    span.end();
    this.options.onCall?.({ call: kind, outcome, seconds: (performance.now() - started) / 1000 });
    return result;
  }

  private async send(path: string, key: string, body: object): Promise<PaymentCallResult> {
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
          ...traceHeaders(),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      return { kind: 'retry', reason: describeNetworkError(error) };
    }
    const text = await response.text().catch(() => '');
    if (response.status >= 500 || [401, 403, 408, 429].includes(response.status)) {
      return { kind: 'retry', reason: `HTTP ${response.status}` };
    }
    if (!response.ok) {
      return {
        kind: 'rejected',
        reason: `HTTP ${response.status}: ${text.slice(0, 200)}`,
        status: response.status,
      };
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { kind: 'retry', reason: 'unparsable answer' };
    }
    if (!paymentRecord.Check(parsed)) {
      const [first] = paymentRecord.Errors(parsed);
      const where = first === undefined ? '' : `: ${first.instancePath || '/'} ${first.message}`;
      return { kind: 'retry', reason: `unexpected answer${where}` };
    }
    return { kind: 'answer', status: parsed.status, paymentId: parsed.id };
  }
}

/**
 * A metric label for a call's result: the payment's status, or why there was none (`timeout`,
 * `network_error`, `http_<status>`, `bad_answer`). Bounded: statuses and HTTP codes only.
 */
export function paymentOutcome(result: PaymentCallResult): string {
  switch (result.kind) {
    case 'answer':
      return result.status;
    case 'rejected':
      return `http_${result.status}`;
    case 'retry': {
      if (result.reason === 'timeout') return 'timeout';
      if (result.reason.startsWith('network')) return 'network_error';
      const status = /^HTTP (\d{3})$/.exec(result.reason)?.[1];
      return status === undefined ? 'bad_answer' : `http_${status}`;
    }
  }
}

/** "timeout", or the socket error code (ECONNREFUSED...) that fetch hides in `cause`. */
function describeNetworkError(error: unknown): string {
  if (!(error instanceof Error)) return 'network error';
  if (error.name === 'TimeoutError') return 'timeout';
  const cause: unknown = error.cause;
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause
      ? String(cause.code)
      : error.name;
  return `network: ${code}`;
}
