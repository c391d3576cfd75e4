import { fileURLToPath } from 'node:url';
import { openDatabase } from '@oms/database';
import { startTracing } from '@oms/telemetry';
import { traceParentOf } from '@oms/telemetry/trace-context';
import { trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Logger } from 'pino';
import { startAdmission } from './admission/admission.js';
import { createAuthenticator } from './auth/authenticator.js';
import type { OrdersSettings } from './config/settings.js';
import { OrderEventsService } from './domain/order-events.service.js';
import { OrderStatsService } from './domain/order-stats.service.js';
import { OrdersService } from './domain/orders.service.js';
import { WebhooksService } from './domain/webhooks.service.js';
import { OrderEventStream } from './events/order-event-stream.js';
import { createOperationPipeline } from './graphql/operation-pipeline.js';
import { buildOrdersSchema } from './graphql/schema.js';
import { startHttpServer } from './http/server.js';
import { createLogger } from './observability/logger.js';
import { OrdersMetrics } from './observability/metrics.js';
import { PaymentsClient } from './payments/payments.client.js';
import { ordersPersistence } from './persistence/orders-persistence.js';
import { LOG_WAKE_CHANNEL, LogWakeups } from './persistence/transition-log.js';
import { schema } from './persistence/schema.js';
import { OrderWorker } from './worker/order-worker.js';
import { WebhookDispatcher } from './worker/webhook-dispatcher.js';
import { WebhookHttp, destinationRefusal } from './worker/webhook-http.js';
import { WebhookSender } from './worker/webhook-sender.js';

export {
  SETTING_NAMES,
  SettingsError,
  loadSettings,
  type OrdersSettings,
} from './config/settings.js';

/** A running orders-api. */
export interface OrdersApi {
  url: string;
  port: number;
  /** Graceful stop: requests finish, subscribers get a close frame, jobs in flight complete. */
  close(): Promise<void>;
}

export interface StartOrdersApiOptions {
  /** Where finished spans go besides the OTLP exporter (tests pass an in-memory one). */
  spanProcessors?: SpanProcessor[];
}

const MIGRATIONS = fileURLToPath(new URL('../drizzle', import.meta.url));

/** Opens the database (migrating it), starts the worker and serves GraphQL on `settings.port`. */
export async function startOrdersApi(
  settings: OrdersSettings,
  log: Logger = createLogger(settings.logLevel),
  options: StartOrdersApiOptions = {},
): Promise<OrdersApi> {
  const database = await openDatabase({
    url: settings.databaseUrl,
    dataDir: settings.dataDir,
    schema,
    migrationsFolder: MIGRATIONS,
    migrationsTable: '__orders_migrations',
    poolSize: settings.dbPoolSize,
    onNotice: (message) => {
      log.debug({ message }, 'database notice');
    },
  });
  // Other processes learn of commits by a NOTIFY sent outside them (see LogWakeups); this one
  // is told directly.
  const wakeups = new LogWakeups(database, 10, (error) => {
    log.warn({ err: error }, 'could not notify other processes of new order events');
  });
  const {
    repository,
    notes,
    stats,
    transitions,
    jobs,
    log: transitionLog,
    webhooks: webhookStore,
    webhookQueue,
  } = ordersPersistence(database, {
    delays: { deliveryDelay: settings.deliveryDelaySeconds },
    batching: { maxBatch: settings.createBatchSize, maxInFlight: 2 },
    onCommitted: () => {
      events.wake();
      dispatcher.wake();
      wakeups.poke();
    },
  });
  const tracing = await startTracing({
    serviceName: settings.serviceName,
    otlpEndpoint: settings.otlpEndpoint,
    spanProcessors: options.spanProcessors,
  });
  const metrics = settings.metricsEnabled
    ? new OrdersMetrics(
        () => jobs.oldestDueAgeSeconds(),
        (error) => {
          log.warn({ err: error }, 'could not read the oldest due job for /metrics');
        },
      )
    : undefined;
  const onTransitions = metrics?.recordTransitions.bind(metrics);
  const payments = new PaymentsClient({
    baseUrl: settings.paymentsUrl,
    token: settings.paymentsApiToken,
    timeoutMs: settings.paymentTimeoutMs,
    batchSize: settings.paymentBatchSize,
    tracer: tracing.tracer,
    onCall: metrics?.recordPaymentCall.bind(metrics),
  });
  const worker = new OrderWorker(
    jobs,
    transitions,
    payments,
    {
      paymentTimeoutMs: settings.paymentTimeoutMs,
      paymentMaxAttempts: settings.paymentMaxAttempts,
      paymentRetryBaseMs: settings.paymentRetryBaseMs,
      batchSize: settings.workerBatchSize,
      concurrency: settings.workerConcurrency,
      idlePollMs: settings.workerIdlePollMs,
    },
    log.child({ component: 'worker' }),
    { tracer: tracing.tracer, onTransitions },
  );
  const events = new OrderEventStream(
    transitionLog,
    (ids) => repository.findMany(ids),
    log.child({ component: 'events' }),
    { batchSize: settings.eventsBatchSize, idlePollMs: settings.eventsIdlePollMs },
  );
  const sender = new WebhookSender(
    webhookQueue,
    new WebhookHttp(),
    (ids) => repository.findMany(ids),
    { ...settings.webhooks, concurrency: 64, idlePollMs: settings.workerIdlePollMs },
    log.child({ component: 'webhooks' }),
    { onAttempt: metrics?.recordWebhookAttempt.bind(metrics) },
  );
  const dispatcher = new WebhookDispatcher(
    webhookQueue,
    { batchSize: settings.eventsBatchSize, idlePollMs: settings.eventsIdlePollMs },
    log.child({ component: 'webhooks' }),
    () => {
      sender.wake();
    },
  );
  const webhooks = new WebhooksService(
    webhookStore,
    (url) => destinationRefusal(url, settings.webhooks.allowPrivateNetworks),
    () => {
      dispatcher.endpointsChanged();
      sender.wake();
    },
  );
  metrics?.watchWebhookBacklog(
    () => webhookQueue.backlogAges(),
    (error) => {
      log.warn({ err: error }, 'could not read the webhook backlog for /metrics');
    },
  );
  const orders = new OrdersService({
    repository,
    notes,
    cancellation: transitions,
    wakeWorker: () => {
      worker.wake();
    },
    onTransitions,
    scope: {
      traceParent: traceParentOf,
      tagOrder: (id) => trace.getActiveSpan()?.setAttribute('order.id', id),
    },
  });
  const orderStats = new OrderStatsService(stats);
  const orderEvents = new OrderEventsService(transitionLog, (ids) => repository.findMany(ids));
  const admission = settings.admission.enabled
    ? startAdmission(settings.admission, {
        oldestDueJobAge: () => jobs.oldestDueAgeSeconds(),
        onRefusal: (reason) => metrics?.admissionRefusals.inc({ reason }),
        onSampleError: (error) => {
          log.warn({ err: error }, 'could not read the job backlog for admission control');
        },
      })
    : undefined;
  if (admission !== undefined) metrics?.watchAdmission(() => admission.controller.state);
  await events.start();
  await dispatcher.start();
  const unlisten = await database.listen(LOG_WAKE_CHANNEL, () => {
    events.wake();
    dispatcher.wake();
  });

  const http = await startHttpServer({
    pipeline: createOperationPipeline({
      schema: await buildOrdersSchema(),
      log,
      metrics,
    }),
    services: { orders, orderEvents, orderStats, events, webhooks },
    authenticator: createAuthenticator(settings.access),
    host: settings.host,
    port: settings.port,
    maxBodyBytes: settings.maxBodyBytes,
    exportBatchSize: settings.exportBatchSize,
    ideUrl: settings.ideUrl,
    log,
    tracer: tracing.tracer,
    metrics,
    admission: admission?.controller,
    readiness: async () => {
      const failing: string[] = [];
      const ping = database.ping();
      const timeout = new Promise<never>((_, reject) => {
        setTimeout(() => {
          reject(new Error('timeout'));
        }, 2_000).unref();
      });
      await Promise.race([ping, timeout]).catch(() => {
        failing.push('database');
      });
      if (!worker.healthy) failing.push('worker');
      return failing;
    },
  });
  worker.start();
  sender.start();

  const url = `http://${settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host}:${http.port}/graphql`;
  log.info(
    { url, database: database.kind, deliveryDelaySeconds: settings.deliveryDelaySeconds },
    'orders-api listening',
  );
  if (settings.usesDevToken) {
    log.warn('PAYMENTS_API_TOKEN is not set: using the development default token');
  }
  if (settings.access.mode === 'off') {
    log.warn(
      'per-customer access is off: every request acts as the demo customer (set ORDERS_JWT_SECRET or ORDERS_JWKS_URL)',
    );
  } else {
    const { mode, issuer, audience } = settings.access;
    log.info({ mode, issuer, audience }, 'per-customer access is on: bearer tokens required');
  }

  let closing: Promise<void> | null = null;
  return {
    url,
    port: http.port,
    close() {
      closing ??= (async () => {
        await http.close();
        await admission?.stop();
        await worker.stop();
        await dispatcher.stop();
        await sender.stop();
        await events.stop();
        wakeups.stop();
        await unlisten();
        await database.close();
        await tracing.shutdown();
      })();
      return closing;
    },
  };
}
