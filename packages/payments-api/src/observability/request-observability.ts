import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { SpanKind, SpanStatusCode, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { PaymentsMetrics } from './metrics.js';
import { contextFromHeaders } from '@oms/telemetry/trace-context';

// A caller's id is kept only when it cannot disturb a log line or a header: short, plain text.
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is well-formed, else a new one (Fastify's `genReqId`). */
export function requestIdOf(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && WELL_FORMED_REQUEST_ID.test(header) ? header : randomUUID();
}

const spans = new WeakMap<IncomingMessage, Span>();

/** Route template for labels and span names; unrouted requests share one, so ids never leak in. */
const routeOf = (request: FastifyRequest): string => request.routeOptions.url ?? 'unmatched';

/**
 * Per request: a server span, child of the caller's W3C `traceparent` (orders-api sends the
 * order's), whose trace and span ids go on every log line of the request along with its request
 * id; the request id echoed in `x-request-id`; and the request counted and timed by route.
 */
export function observeRequests(
  app: FastifyInstance,
  tracer: Tracer,
  metrics: PaymentsMetrics | undefined,
): void {
  // Fastify makes the request's logger before it writes "incoming request" and before any hook
  // runs, so the span starts here for that first line to carry the trace id too.
  app.setChildLoggerFactory(function (logger, bindings, options, raw) {
    const span = tracer.startSpan(
      raw.method ?? 'HTTP',
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': raw.method ?? '' } },
      contextFromHeaders(raw.headers),
    );
    spans.set(raw, span);
    const { traceId, spanId } = span.spanContext();
    return logger.child({ ...bindings, traceId, spanId }, options);
  });

  app.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    const route = routeOf(request);
    spans
      .get(request.raw)
      ?.updateName(`${request.method} ${route}`)
      .setAttribute('http.route', route);
    done();
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = routeOf(request);
    const status = reply.statusCode;
    metrics?.httpRequests.inc({ method: request.method, route, status });
    metrics?.httpDuration.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    endSpan(request.raw, status);
    done();
  });

  app.addHook('onRequestAbort', (request, done) => {
    endSpan(request.raw, 499);
    done();
  });
}

function endSpan(raw: IncomingMessage, status: number): void {
  const span = spans.get(raw);
  if (span === undefined) return;
  spans.delete(raw);
  span.setAttribute('http.response.status_code', status);
  if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}
