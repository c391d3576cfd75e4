import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREATE_ORDER, Stack, eventually, orderInput, type OrderResult } from './support/stack.js';

// One exporter for both services, as a collector would receive them.
const exporter = new InMemorySpanExporter();

const serviceOf = (span: ReadableSpan) => span.resource.attributes['service.name'];
const parentOf = (span: ReadableSpan | undefined) => span?.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan | undefined) => span?.spanContext().spanId;

describe('one trace from createOrder to the payment and its transition', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start({
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
      payments: { PAYMENT_LATENCY_MS: '20' },
    });
  });
  afterAll(() => stack.close());

  it("puts the background payment call, payments-api's work and the transition in the caller's trace", async () => {
    // The client's own trace: orders-api joins it rather than starting another.
    const clientTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientSpanId = '00f067aa0ba902b7';
    const created = await stack.gql<{ createOrder: OrderResult }>(
      CREATE_ORDER,
      { input: orderInput({ paymentToken: 'tok_approve' }) },
      { traceparent: `00-${clientTraceId}-${clientSpanId}-01` },
    );
    const orderId = created.data?.createOrder.id ?? '';
    expect(orderId).not.toBe('');

    const spans = await eventually(
      () => Promise.resolve(exporter.getFinishedSpans()),
      (all) =>
        all.some((s) => s.name === 'order pay' && s.attributes['order.id'] === orderId && s.ended),
    );
    const create = spans.find(
      (s) => s.name === 'mutation createOrder' && s.attributes['order.id'] === orderId,
    );
    const pay = spans.find((s) => s.name === 'order pay' && s.attributes['order.id'] === orderId);
    const inPay = (s: ReadableSpan) => parentOf(s) === idOf(pay);
    const call = spans.find(
      (s) => s.name === 'POST /payments' && s.kind === SpanKind.CLIENT && inPay(s),
    );
    const served = spans.find(
      (s) =>
        serviceOf(s) === 'payments-api' && s.kind === SpanKind.SERVER && parentOf(s) === idOf(call),
    );
    const transition = spans.find(
      (s) => s.name === 'order transition PAYMENT_CONFIRMED' && inPay(s),
    );

    expect(create?.kind).toBe(SpanKind.SERVER);
    expect(serviceOf(create as ReadableSpan)).toBe('orders-api');
    expect(served?.name).toBe('POST /payments');
    expect(served?.attributes['http.response.status_code']).toBe(201);
    expect(call?.attributes['payment.outcome']).toBe('confirmed');
    expect(transition?.attributes).toMatchObject({
      'order.from': 'CREATED',
      'order.to': 'CONFIRMED',
    });

    // Every span belongs to the client's trace, each the child of the one before it.
    for (const span of [create, pay, call, served, transition]) {
      expect(span?.spanContext().traceId).toBe(clientTraceId);
    }
    expect(parentOf(create)).toBe(clientSpanId);
    expect(parentOf(pay)).toBe(idOf(create));
    expect(parentOf(call)).toBe(idOf(pay));
    expect(parentOf(served)).toBe(idOf(call));
    expect(parentOf(transition)).toBe(idOf(pay));
  });

  it('starts a new trace for a request that brings none, and still links the payment to it', async () => {
    exporter.reset();
    const created = await stack.gql<{ createOrder: OrderResult }>(CREATE_ORDER, {
      input: orderInput({ paymentToken: 'tok_decline' }),
    });
    const orderId = created.data?.createOrder.id ?? '';
    const spans = await eventually(
      () => Promise.resolve(exporter.getFinishedSpans()),
      (all) => all.some((s) => s.name === 'order transition PAYMENT_DECLINED'),
    );
    const create = spans.find(
      (s) => s.name === 'mutation createOrder' && s.attributes['order.id'] === orderId,
    );
    const traceId = create?.spanContext().traceId;
    expect(create?.parentSpanContext).toBeUndefined();
    const served = spans.find(
      (s) => serviceOf(s) === 'payments-api' && s.name === 'POST /payments',
    );
    const transition = spans.find((s) => s.name === 'order transition PAYMENT_DECLINED');
    expect(served?.spanContext().traceId).toBe(traceId);
    expect(transition?.spanContext().traceId).toBe(traceId);
    expect(transition?.attributes).toMatchObject({
      'order.from': 'CREATED',
      'order.to': 'CANCELLED',
    });
  });
});
