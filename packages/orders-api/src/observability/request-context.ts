import { randomUUID } from 'node:crypto';
import {
  context,
  createContextKey,
  isSpanContextValid,
  trace,
  type Context,
} from '@opentelemetry/api';

const REQUEST_ID = createContextKey('oms.request_id');

// A caller's id is kept only when it cannot disturb a log line or a header: short, plain text.
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is well-formed, else a new one. */
export function acceptRequestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && WELL_FORMED_REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * `ctx` with `requestId` in it, next to its span: every log line written while it is active
 * carries both (see `logContext`).
 */
export function contextWithRequestId(ctx: Context, requestId: string): Context {
  return ctx.setValue(REQUEST_ID, requestId);
}

/** The request id in the active context, if any. */
export function activeRequestId(): string | undefined {
  const value = context.active().getValue(REQUEST_ID);
  return typeof value === 'string' ? value : undefined;
}

/**
 * pino `mixin`: the request id and trace and span ids of whatever is running when the line is
 * written (an HTTP request, a GraphQL operation, a background job for one order).
 */
export function logContext(): Record<string, string> {
  const fields: Record<string, string> = {};
  const requestId = activeRequestId();
  if (requestId !== undefined) fields.requestId = requestId;
  const span = trace.getSpanContext(context.active());
  if (span !== undefined && isSpanContextValid(span)) {
    fields.traceId = span.traceId;
    fields.spanId = span.spanId;
  }
  return fields;
}
