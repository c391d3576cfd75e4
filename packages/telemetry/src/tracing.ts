import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
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
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  if (!contextManagerInstalled) {
    // False when something else installed one first; that one carries the context just as well.
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    contextManagerInstalled = true;
  }
  const spanProcessors = [...(options.spanProcessors ?? [])];
  if (options.otlpEndpoint !== undefined) {
    // Loaded only when needed: it is the largest part of the SDK, and most runs export nothing.
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
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
