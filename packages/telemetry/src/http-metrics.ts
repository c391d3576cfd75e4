import { Counter, Histogram, type Registry } from 'prom-client';

/** The HTTP series both services expose, so dashboards read them alike. */
export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route'>;
}

/**
 * Request count and latency in `registry`, labelled by method, route template and status:
 * never by path or ids, so the number of series stays bounded whatever clients send.
 */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time from receiving an HTTP request to the end of its answer',
      labelNames: ['method', 'route'] as const,
      registers: [registry],
    }),
  };
}
