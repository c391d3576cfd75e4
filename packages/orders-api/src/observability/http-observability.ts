import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { OrdersMetrics } from './metrics.js';
import { acceptRequestId, contextWithRequestId } from './request-context.js';
import { contextFromHeaders } from '@oms/telemetry/trace-context';

/** Routes named in metrics and span names; anything else is `other`, so clients cannot add series. */
const ROUTES = new Set(['/graphql', '/health', '/ready', '/metrics']);

const contexts = new WeakMap<Request, Context>();

/**
 * First middleware of every request: takes or makes its request id (echoed in `x-request-id`),
 * starts its server span (a child of the caller's `traceparent`, if any), makes both active for
 * everything the request does, and when it ends writes one log line and counts and times it.
 */
export function observeRequests(options: {
  tracer: Tracer;
  log: Logger;
  metrics: OrdersMetrics | undefined;
}): RequestHandler {
  const { tracer, log, metrics } = options;
  return (req, res, next) => {
    const started = performance.now();
    const requestId = acceptRequestId(req.headers['x-request-id']);
    res.setHeader('x-request-id', requestId);
    const route = ROUTES.has(req.path) ? req.path : 'other';
    const parent = contextFromHeaders(req.headers);
    const span = tracer.startSpan(
      `${req.method} ${route}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': req.method, 'http.route': route },
      },
      parent,
    );
    const active = contextWithRequestId(trace.setSpan(parent, span), requestId);
    contexts.set(req, active);
    res.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      // A response closed before it was finished was cut off (client gone, server stopping).
      const status = res.writableFinished ? res.statusCode : 499;
      span.setAttribute('http.response.status_code', status);
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      metrics?.httpRequests.inc({ method: req.method, route, status });
      metrics?.httpDuration.observe({ method: req.method, route }, seconds);
      context.with(active, () => {
        log.info(
          { method: req.method, route, statusCode: status, durationMs: Math.round(seconds * 1000) },
          'request completed',
        );
      });
    });
    context.with(active, next);
  };
}

/**
 * Enters the request's context again: a body parser resumes from socket events, outside the
 * context the request started in, and what runs after it must still see its span and request id.
 */
export function resumeRequestContext(): RequestHandler {
  return (req, _res, next) => {
    context.with(contexts.get(req) ?? context.active(), next);
  };
}
