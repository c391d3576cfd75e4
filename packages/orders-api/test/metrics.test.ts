import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheus, scrape, sumOf, valueOf, type Sample } from './support/prometheus.js';
import {
  CANCEL_ORDER,
  ORDER_FIELDS,
  Stack,
  createOrder,
  eventually,
  getOrder,
  type OrderResult,
} from './support/stack.js';

const ALL_ORDERS = `subscription { orderUpdated { ${ORDER_FIELDS} } }`;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

/** Transitions as `from->to` with how often they happened, from the orders' own histories. */
function transitionsIn(orders: readonly OrderResult[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const order of orders) {
    for (const { from, to } of order.history) {
      const key = `${from ?? 'NONE'}->${to}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** What `orders_transitions_total` says, in the same shape. */
function transitionsCounted(samples: readonly Sample[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of samples) {
    if (s.name === 'orders_transitions_total' && s.value > 0) {
      counts.set(`${s.labels.from ?? ''}->${s.labels.to ?? ''}`, s.value);
    }
  }
  return counts;
}

describe('GET /metrics after the README scenario', () => {
  let stack: Stack;
  let ordersBase: string;
  beforeAll(async () => {
    stack = await Stack.start({
      orders: { DELIVERY_DELAY_SECONDS: '0.2' },
      payments: { PAYMENT_LATENCY_MS: '20' },
    });
    ordersBase = stack.orders.url.replace(/\/graphql$/, '');
  });
  afterAll(() => stack.close());

  it('shows the transitions that happened, operations, payment calls, subscriptions and the job backlog', async () => {
    const sub = stack.subscribe(ALL_ORDERS);
    await eventually(
      () => scrape(ordersBase),
      (s) => valueOf(s, 'graphql_active_subscriptions') === 1,
    );

    // README: an approved order is confirmed then delivered; a declined one is cancelled;
    // another is cancelled by its customer.
    const approved = await createOrder(stack, { paymentToken: 'tok_approve' });
    const declined = await createOrder(stack, { paymentToken: 'tok_decline' });
    const cancelled = await createOrder(stack, { paymentToken: 'tok_approve' });
    const cancel = await stack.gql(CANCEL_ORDER, { id: cancelled.id, reason: 'changed my mind' });
    expect(cancel.errors).toBeUndefined();
    const missing = await stack.gql(CANCEL_ORDER, { id: '0190a5b2-7c1e-7000-8000-000000000000' });
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const final = await Promise.all(
      [
        [approved.id, 'DELIVERED'],
        [declined.id, 'CANCELLED'],
        [cancelled.id, 'CANCELLED'],
      ].map(([id = '', status]) =>
        eventually(
          () => getOrder(stack, id),
          (o) => o?.status === status,
        ),
      ),
    );
    const happened = transitionsIn(final.filter((o): o is OrderResult => o !== null));
    expect(happened.get('NONE->CREATED')).toBe(3);
    expect(happened.get('CREATED->CONFIRMED')).toBeGreaterThanOrEqual(1);

    // Counted right after each commit; the read that saw the commit may be a moment earlier.
    const samples = await eventually(
      () => scrape(ordersBase),
      (s) =>
        JSON.stringify([...transitionsCounted(s)].sort()) === JSON.stringify([...happened].sort()),
      5_000,
    );
    expect(transitionsCounted(samples)).toEqual(happened);

    const ops = (labels: Record<string, string>) =>
      valueOf(samples, 'graphql_operations_total', labels);
    expect(ops({ operation: 'createOrder', type: 'mutation', outcome: 'ok' })).toBe(3);
    expect(ops({ operation: 'cancelOrder', type: 'mutation', outcome: 'ok' })).toBe(1);
    expect(ops({ operation: 'cancelOrder', type: 'mutation', outcome: 'NOT_FOUND' })).toBe(1);
    expect(ops({ operation: 'order', type: 'query', outcome: 'ok' })).toBeGreaterThanOrEqual(3);
    expect(ops({ operation: 'orderUpdated', type: 'subscription', outcome: 'ok' })).toBe(1);
    expect(
      valueOf(samples, 'graphql_operation_duration_seconds_count', {
        operation: 'createOrder',
        type: 'mutation',
      }),
    ).toBe(3);
    expect(
      valueOf(samples, 'http_requests_total', { method: 'POST', route: '/graphql', status: '200' }),
    ).toBeGreaterThanOrEqual(5);

    // Charges: the approved order's is confirmed, the declined one's declined; the order cancelled
    // at once may have been charged before the cancel or not. A call that timed out on a loaded
    // machine is retried, so orders-api may count more calls than payments-api has payments.
    const charges = sumOf(samples, 'orders_payment_calls_total', { call: 'charge' });
    const chargeOutcome = (outcome: string) =>
      valueOf(samples, 'orders_payment_calls_total', { call: 'charge', outcome }) ?? 0;
    expect(chargeOutcome('confirmed')).toBeGreaterThanOrEqual(1);
    expect(chargeOutcome('declined')).toBeGreaterThanOrEqual(1);
    expect(valueOf(samples, 'orders_payment_call_duration_seconds_count', { call: 'charge' })).toBe(
      charges,
    );

    const backlog = valueOf(samples, 'orders_oldest_due_job_age_seconds');
    expect(backlog).toBeGreaterThanOrEqual(0);
    expect(Number.isFinite(backlog)).toBe(true);
    expect(valueOf(samples, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    // Labels never carry ids: the number of series cannot grow with the number of orders.
    expect(samples.filter((s) => Object.values(s.labels).some((v) => UUID.test(v)))).toEqual([]);

    sub.stop();
    await eventually(
      () => scrape(ordersBase),
      (s) => valueOf(s, 'graphql_active_subscriptions') === 0,
    );

    // payments-api counted every charge request once, alone or in a batch; the declined order has
    // one declined payment.
    const payments = await eventually(
      () => scrape(stack.payments.url),
      (p) =>
        sumOf(p, 'payments_charges_total', {}) ===
        sumOf(p, 'http_requests_total', { method: 'POST', route: '/payments' }) +
          (valueOf(p, 'payments_batch_charges_sum') ?? 0),
      5_000,
    );
    expect(valueOf(payments, 'payments_charges_total', { outcome: 'declined' })).toBe(1);
    expect(
      valueOf(payments, 'payments_charges_total', { outcome: 'confirmed' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sumOf(payments, 'payments_charges_total', {})).toBeGreaterThanOrEqual(2);
    // When every charge of the run went in a batch, no single POST /payments was timed and the
    // histogram has no series for it: a count of zero.
    expect(
      valueOf(payments, 'http_request_duration_seconds_count', {
        method: 'POST',
        route: '/payments',
      }) ?? 0,
    ).toBe(sumOf(payments, 'http_requests_total', { method: 'POST', route: '/payments' }));
    expect(payments.filter((s) => Object.values(s.labels).some((v) => UUID.test(v)))).toEqual([]);
  });

  it('counts a subscription that ends by its socket closing, not only by completing', async () => {
    stack.subscribe(ALL_ORDERS);
    await eventually(
      () => scrape(ordersBase),
      (s) => valueOf(s, 'graphql_active_subscriptions') === 1,
    );
    await stack.closeClients();
    await eventually(
      () => scrape(ordersBase),
      (s) => valueOf(s, 'graphql_active_subscriptions') === 0,
    );
  });
});

describe('GET /metrics when METRICS_ENABLED=false', () => {
  it('is not served by either service', async () => {
    const stack = await Stack.start({
      orders: { METRICS_ENABLED: 'false' },
      payments: { METRICS_ENABLED: 'false' },
    });
    try {
      const base = stack.orders.url.replace(/\/graphql$/, '');
      expect((await fetch(`${base}/metrics`)).status).toBe(404);
      expect((await fetch(`${stack.payments.url}/metrics`)).status).toBe(404);
    } finally {
      await stack.close();
    }
  });
});

describe('the Prometheus parser used here', () => {
  it('reads names, labels with escapes, and values', () => {
    expect(parsePrometheus('# HELP x y\na_total{b="c",d="e \\"f\\""} 2\nNaN_gauge NaN\n')).toEqual([
      { name: 'a_total', labels: { b: 'c', d: 'e \\"f\\"' }, value: 2 },
      { name: 'NaN_gauge', labels: {}, value: Number.NaN },
    ]);
  });
});
