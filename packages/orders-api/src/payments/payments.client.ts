/**
 * HTTP client for payments-api. It only classifies answers; what to do with them is the
 * worker's business. Every call carries the order id as its Idempotency-Key, so a retry after a
 * timeout can never charge twice, and the W3C `traceparent` of its span, so payments-api's work
 * joins the order's trace.
 */

import {
  BatchChargeAnswerSchema,
  MAX_BATCH_ITEMS,
  PaymentSchema,
  type BatchChargeResult,
  type ChargeBody,
  type PaymentStatus,
} from '@oms/payments-api/contract';
import { traceHeaders } from '@oms/telemetry/trace-context';
import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Attributes,
  type Tracer,
} from '@opentelemetry/api';
import { Compile, type Validator } from 'typebox/compile';
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
  /** Most charges `chargeMany` sends in one call (at most payments-api's limit, the default). */
  batchSize?: number;
  /** Makes a client span per call; without one, calls still carry the active trace context. */
  tracer?: Tracer;
  /**
   * Told the kind, outcome and duration of every call (for metrics); a batch call is told once
   * per order in it, each with the batch's duration: the time that order waited for its answer.
   */
  onCall?: (record: PaymentCallRecord) => void;
}

/** Token sent when an order names no payment credential: the provider draws the outcome. */
export const DEFAULT_PAYMENT_TOKEN = 'tok_default';

// Every 2xx of payments-api's single routes is a payment record; anything else is a provider fault.
const paymentRecord = Compile(PaymentSchema);
const batchAnswer = Compile(BatchChargeAnswerSchema);

/** A POST that got a 2xx with a JSON body, or what it came to instead. */
type Posted = { kind: 'parsed'; body: unknown } | Exclude<PaymentCallResult, { kind: 'answer' }>;

/** What one HTTP call came to, for its span and metrics. */
interface CallOutcome {
  /** One result per order the call was for. */
  results: PaymentCallResult[];
  /** The span's `payment.outcome`. */
  outcome: string;
  /** The call as a whole went wrong. */
  failed: boolean;
}

export class PaymentsClient {
  /** Most charges one call carries: `chargeMany` splits larger requests into several calls. */
  readonly batchSize: number;

  constructor(private readonly options: PaymentsClientOptions) {
    const size = Math.floor(options.batchSize ?? MAX_BATCH_ITEMS);
    this.batchSize = Math.min(Math.max(size, 1), MAX_BATCH_ITEMS);
  }

  /** Asks for the order to be paid. */
  charge(request: ChargeRequest): Promise<PaymentCallResult> {
    return this.single('charge', '/payments', '/payments', request.orderId, request);
  }

  /**
   * Asks for several orders to be paid with one `POST /payments/batch` (several above the batch
   * size); each order gets its own result, in order. Each is charged under its order id as
   * Idempotency-Key, as `charge` does, so the two can retry each other safely.
   */
  async chargeMany(requests: readonly ChargeRequest[]): Promise<PaymentCallResult[]> {
    const batches: ChargeRequest[][] = [];
    for (let start = 0; start < requests.length; start += this.batchSize) {
      batches.push(requests.slice(start, start + this.batchSize));
    }
    return (await Promise.all(batches.map((batch) => this.batch(batch)))).flat();
  }

  /** Refunds a confirmed payment; already refunded is fine (the provider answers the same). */
  refund(paymentId: string, orderId: string): Promise<PaymentCallResult> {
    const path = `/payments/${encodeURIComponent(paymentId)}/refund`;
    return this.single('refund', path, '/payments/{id}/refund', orderId, {});
  }

  /**
   * Makes sure no money stays captured under this order's key: refunds a confirmed payment and
   * blocks a charge that has not arrived yet.
   */
  void(orderId: string): Promise<PaymentCallResult> {
    return this.single('void', '/payments/void', '/payments/void', orderId, { orderId });
  }

  /** A call for one order, answered with a payment record. */
  private async single(
    kind: PaymentCallRecord['call'],
    path: string,
    route: string,
    key: string,
    body: object,
  ): Promise<PaymentCallResult> {
    const [result] = await this.traced(kind, route, {}, async () => {
      const posted = await this.post(path, body, key);
      const answered = posted.kind === 'parsed' ? toPaymentAnswer(posted.body) : posted;
      const outcome = paymentOutcome(answered);
      return { results: [answered], outcome, failed: answered.kind !== 'answer' };
    });
    if (result === undefined) throw new Error('a payment call came back without its result');
    return result;
  }

  /** One `POST /payments/batch`; a failure of the call as a whole is every order's result. */
  private batch(requests: readonly ChargeRequest[]): Promise<PaymentCallResult[]> {
    const attributes = { 'payment.batch.size': requests.length };
    return this.traced('charge', '/payments/batch', attributes, async () => {
      const items = requests.map((request) => ({ idempotencyKey: request.orderId, ...request }));
      const posted = await this.post('/payments/batch', { items });
      let failure: Exclude<PaymentCallResult, { kind: 'answer' }>;
      if (posted.kind === 'parsed') {
        const keys = items.map((item) => item.idempotencyKey);
        const answered = toBatchAnswers(posted.body, keys);
        if (Array.isArray(answered))
          return { results: answered, outcome: 'answered', failed: false };
        failure = answered;
      } else {
        // Refused as a whole, the batch says nothing about its orders (a payments-api without the
        // route answers 404): each is tried again, and given up on as any failing call would be.
        failure =
          posted.kind === 'rejected' ? { kind: 'retry', reason: `HTTP ${posted.status}` } : posted;
      }
      return {
        results: requests.map(() => failure),
        outcome: paymentOutcome(failure),
        failed: true,
      };
    });
  }

  /** One call in a client span, measured; `route` is the path's template, for the span's name. */
  private async traced(
    kind: PaymentCallRecord['call'],
    route: string,
    attributes: Attributes,
    work: () => Promise<CallOutcome>,
  ): Promise<PaymentCallResult[]> {
    const tracer = this.options.tracer ?? trace.getTracer('orders-api');
    const span = tracer.startSpan(`POST ${route}`, {
      kind: SpanKind.CLIENT,
      attributes: {
        'http.request.method': 'POST',
        'url.template': route,
        'payment.call': kind,
        ...attributes,
      },
    });
    const started = performance.now();
    const { results, outcome, failed } = await context.with(
      trace.setSpan(context.active(), span),
      work,
    );
    span.setAttribute('payment.outcome', outcome);
    if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    span.end();
    const seconds = (performance.now() - started) / 1000;
    for (const result of results) {
      this.options.onCall?.({ call: kind, outcome: paymentOutcome(result), seconds });
    }
    return results;
  }

  /** Sends a POST; classifies what is not a 2xx with a JSON body. */
  private async post(path: string, body: object, key?: string): Promise<Posted> {
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/json',
          ...(key === undefined ? {} : { 'idempotency-key': key }),
          ...traceHeaders(),
        },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      return { kind: 'retry', reason: describeNetworkError(error) };
    }
    const text = await response.text().catch(() => '');
    const refused = classifyRefusal(response.status, text);
    if (refused !== undefined) return refused;
    try {
      return { kind: 'parsed', body: JSON.parse(text) as unknown };
    } catch {
      return { kind: 'retry', reason: 'unparsable answer' };
    }
  }
}

/**
 * What a status that is not a success comes to, for a whole answer or for one item of a batch
 * (whose problem carries the status the charge would have had alone); undefined for a 2xx.
 */
function classifyRefusal(
  status: number,
  text: string,
): Exclude<PaymentCallResult, { kind: 'answer' }> | undefined {
  if (status >= 500 || [401, 403, 408, 429].includes(status)) {
    return { kind: 'retry', reason: `HTTP ${status}` };
  }
  if (status < 200 || status >= 300) {
    return { kind: 'rejected', reason: `HTTP ${status}: ${text.slice(0, 200)}`, status };
  }
  return undefined;
}

function toPaymentAnswer(body: unknown): PaymentCallResult {
  if (!paymentRecord.Check(body)) {
    return { kind: 'retry', reason: `unexpected answer${firstError(paymentRecord, body)}` };
  }
  return { kind: 'answer', status: body.status, paymentId: body.id };
}

/**
 * Each order's result from a batch answer, or, when the answer cannot be trusted (not the
 * contract's shape, not one result per charge, a key that is not the one sent), the retry that
 * is then every order's result.
 */
function toBatchAnswers(
  body: unknown,
  keys: readonly string[],
): PaymentCallResult[] | Exclude<PaymentCallResult, { kind: 'answer' }> {
  if (!batchAnswer.Check(body)) {
    return { kind: 'retry', reason: `unexpected answer${firstError(batchAnswer, body)}` };
  }
  if (body.items.length !== keys.length) {
    const counts = `${body.items.length} results for ${keys.length} charges`;
    return { kind: 'retry', reason: `unexpected answer: ${counts}` };
  }
  const stray = body.items.findIndex((item, index) => item.idempotencyKey !== keys[index]);
  if (stray !== -1) {
    return {
      kind: 'retry',
      reason: `unexpected answer: /items/${stray}/idempotencyKey is not the key sent`,
    };
  }
  return body.items.map(toItemResult);
}

function toItemResult(item: BatchChargeResult): PaymentCallResult {
  if (item.outcome === 'refused') {
    const { problem } = item;
    return (
      classifyRefusal(problem.status, JSON.stringify(problem)) ?? {
        kind: 'retry',
        reason: `unexpected answer: a refusal with status ${problem.status}`,
      }
    );
  }
  return { kind: 'answer', status: item.payment.status, paymentId: item.payment.id };
}

/** `: <where> <what>` for the first way `value` breaks the schema, or nothing. */
function firstError(validator: Pick<Validator, 'Errors'>, value: unknown): string {
  const [first] = validator.Errors(value);
  return first === undefined ? '' : `: ${first.instancePath || '/'} ${first.message}`;
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
