import {
  ROOT_CONTEXT,
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP base URL; spans are exported to `<endpoint>/v1/traces` when it is set. */
  otlpEndpoint: string | undefined;
  /** More destinations for finished spans (tests pass an in-memory exporter). */
  spanProcessors?: readonly SpanProcessor[];
}

/** This instance's tracer; `shutdown` sends what is still buffered. */
export interface Tracing {
  readonly tracer: Tracer;
  shutdown(): Promise<void>;
}

let contextManagerInstalled = false;

/**
 * Spans are made explicitly by this service's code, with a provider of its own rather than the
 * global one: tests run several services in one process, each with its own exporters. Only the
 * context manager is global, because the active span has to follow async calls for every
 * instance alike. No auto-instrumentation: patching modules is unreliable under ESM and tsx.
 */
export function startTracing(options: TracingOptions): Tracing {
  if (!contextManagerInstalled) {
    // False when something else installed one first; that one carries the context just as well.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerInstalled = true;
  }
  const spanProcessors = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint !== undefined) {
    spanProcessors.push(
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${options.otlpEndpoint}/v1/traces` }),
      }),
    );
  }
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors,
  });
  return {
    tracer: provider.getTracer(options.serviceName),
    shutdown: () => provider.shutdown(),
  };
}

// W3C Trace Context, used directly rather than through the global propagator for the same reason.
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
