import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { contextFromTraceParent, traceParentOf } from './trace-context.js';
import { startTracing } from './tracing.js';

describe('startTracing', () => {
  it('sends finished spans over OTLP/HTTP to <endpoint>/v1/traces when an endpoint is set', async () => {
    const received: { url: string | undefined; bytes: number }[] = [];
    const collector = createServer((req: IncomingMessage, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => (bytes += chunk.length));
      req.on('end', () => {
        received.push({ url: req.url, bytes });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
    const { port } = collector.address() as AddressInfo;
    try {
      const tracing = await startTracing({
        serviceName: 'orders-api',
        otlpEndpoint: `http://127.0.0.1:${port}`,
      });
      tracing.tracer.startSpan('exported').end();
      // Shutting down flushes the batch.
      await tracing.shutdown();
      expect(received.map((r) => r.url)).toEqual(['/v1/traces']);
      expect(received[0]?.bytes).toBeGreaterThan(0);
    } finally {
      collector.close();
    }
  });

  it('makes spans without exporting them when no endpoint is set, and their traceparent round-trips', async () => {
    const tracing = await startTracing({ serviceName: 'orders-api', otlpEndpoint: undefined });
    const span = tracing.tracer.startSpan('local');
    const traceParent = traceParentOf(trace.setSpan(context.active(), span));
    expect(traceParent).toBe(`00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`);
    const continued = trace.getSpanContext(contextFromTraceParent(traceParent));
    expect(continued).toMatchObject({ traceId: span.spanContext().traceId, isRemote: true });
    expect(trace.getSpanContext(contextFromTraceParent(null))).toBeUndefined();
    span.end();
    await tracing.shutdown();
  });
});
