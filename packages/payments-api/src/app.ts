import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import type { PaymentsSettings } from './config/settings.js';
import { openPaymentsDatabase } from './db/payments-database.js';
import { buildServer } from './http/server.js';
import { createLogger } from './logger.js';
import { PaymentsMetrics } from './observability/metrics.js';
import { startTracing } from '@oms/telemetry';
import { PaymentsService } from './payments/payments.service.js';

export { DEVELOPMENT_API_TOKEN, loadSettings, SettingsError } from './config/settings.js';
export type { LatencyRange, PaymentsSettings } from './config/settings.js';
export { createLogger } from './logger.js';

/** A listening payments-api. */
export interface RunningPaymentsApi {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly port: number;
  /** Stops accepting requests, lets in-flight ones finish, then closes the database. */
  close(): Promise<void>;
}

export interface StartPaymentsApiOptions {
  /** Defaults to a logger built from the settings. */
  readonly logger?: Logger;
  /** Where finished spans go besides the OTLP exporter (tests pass an in-memory one). */
  readonly spanProcessors?: SpanProcessor[];
}

/** Opens the database (migrating it), then serves the API on settings.host and settings.port. */
export async function startPaymentsApi(
  settings: PaymentsSettings,
  options: StartPaymentsApiOptions = {},
): Promise<RunningPaymentsApi> {
  const logger = options.logger ?? createLogger(settings);
  if (settings.usesDevelopmentToken) {
    logger.warn('PAYMENTS_API_TOKEN is not set: using the development default token');
  }
  const database = await openPaymentsDatabase(settings, (message) => {
    logger.debug({ message }, 'database notice');
  });
  const tracing = await startTracing({
    serviceName: settings.serviceName,
    otlpEndpoint: settings.otlpEndpoint,
    spanProcessors: options.spanProcessors,
  });
  let app;
  try {
    const service = new PaymentsService({
      db: database.db,
      query: database.query,
      approvalRate: settings.approvalRate,
      latencyMs: settings.latencyMs,
    });
    app = await buildServer({
      service,
      ping: () => database.ping(),
      apiToken: settings.apiToken,
      logger,
      tracer: tracing.tracer,
      metrics: settings.metricsEnabled ? new PaymentsMetrics() : undefined,
    });
    await app.listen({ port: settings.port, host: settings.host });
  } catch (error) {
    await app?.close();
    await database.close();
    await tracing.shutdown();
    throw error;
  }

  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : settings.port;
  const server = app;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close() {
      closing ??= (async () => {
        try {
          await server.close();
        } finally {
          await database.close();
          await tracing.shutdown();
        }
      })();
      return closing;
    },
  };
}
