/**
 * HTTP client for payments-api. It only classifies answers; what to do with them is the
 * worker's business. Every call carries the order id as its Idempotency-Key, so a retry after a
 * timeout can never charge twice.
 */

/** What a payment call came to. */
export type PaymentCallResult =
  | { kind: 'answer'; status: 'confirmed' | 'declined' | 'refunded' | 'voided'; paymentId: string }
  /** Timeouts, network errors, 5xx, 429, auth trouble: worth another try later. */
  | { kind: 'retry'; reason: string }
  /** The provider refused the request as such (4xx): another try would get the same. */
  | { kind: 'rejected'; reason: string; status: number };

export interface ChargeRequest {
  orderId: string;
  amount: number;
  currency: string;
  paymentToken: string;
}

export interface PaymentsClientOptions {
  baseUrl: string;
  token: string;
  timeoutMs: number;
}

/** Token sent when an order names no payment credential: the provider draws the outcome. */
export const DEFAULT_PAYMENT_TOKEN = 'tok_default';

const PAYMENT_STATUSES = new Set(['confirmed', 'declined', 'refunded', 'voided']);

export class PaymentsClient {
  constructor(private readonly options: PaymentsClientOptions) {}

  /** Asks for the order to be paid. */
  charge(request: ChargeRequest): Promise<PaymentCallResult> {
    return this.call('/payments', request.orderId, request);
  }

  /** Refunds a confirmed payment; already refunded is fine (the provider answers the same). */
  refund(paymentId: string, orderId: string): Promise<PaymentCallResult> {
    return this.call(`/payments/${encodeURIComponent(paymentId)}/refund`, orderId, {});
  }

  /**
   * Makes sure no money stays captured under this order's key: refunds a confirmed payment and
   * blocks a charge that has not arrived yet.
   */
  void(orderId: string): Promise<PaymentCallResult> {
    return this.call('/payments/void', orderId, { orderId });
  }

  private async call(path: string, key: string, body: object): Promise<PaymentCallResult> {
    let response: Response;
    try {
      response = await fetch(`${this.options.baseUrl}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
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
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'status' in parsed &&
      'id' in parsed &&
      typeof parsed.status === 'string' &&
      typeof parsed.id === 'string' &&
      PAYMENT_STATUSES.has(parsed.status)
    ) {
      return {
        kind: 'answer',
        status: parsed.status as 'confirmed' | 'declined' | 'refunded' | 'voided',
        paymentId: parsed.id,
      };
    }
    return { kind: 'retry', reason: 'unexpected answer' };
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
