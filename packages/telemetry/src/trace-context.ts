import {
  ROOT_CONTEXT,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Context,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

// W3C Trace Context, used directly rather than through the global propagator: tests run several
// services in one process, and nothing here may depend on what another instance registered.
// Apart from tracing.ts so that code which only passes a context on does not load the SDK.
const w3c = new W3CTraceContextPropagator();

/** The `traceparent` (and `tracestate`) headers that continue `ctx`'s trace in another service. */
export function traceHeaders(ctx: Context = context.active()): Record<string, string> {
  const headers: Record<string, string> = {};
  w3c.inject(ctx, headers, defaultTextMapSetter);
  return headers;
}

/** The W3C `traceparent` of `ctx`'s span, to be stored and continued later; null without one. */
export function traceParentOf(ctx: Context = context.active()): string | null {
  return traceHeaders(ctx).traceparent ?? null;
}

/** A context whose remote parent is the span named by incoming W3C headers (none: a new trace). */
export function contextFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): Context {
  return w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** A context continuing a stored `traceparent`; a new trace when there is none. */
export function contextFromTraceParent(traceParent: string | null): Context {
  return traceParent === null ? ROOT_CONTEXT : contextFromHeaders({ traceparent: traceParent });
}
