import swagger from '@fastify/swagger';
import { TypeBoxValidatorCompiler, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Tracer } from '@opentelemetry/api';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { healthRoutes } from '../health/health.routes.js';
import type { PaymentsMetrics } from '../observability/metrics.js';
import { observeRequests, requestIdOf } from '../observability/request-observability.js';
import { paymentsRoutes } from '../payments/payments.routes.js';
import type { PaymentsService } from '../payments/payments.service.js';
import { BEARER_SECURITY_SCHEME } from './auth.js';
import { registerProblemHandlers, sendProblem, toProblem } from './problem.js';

/** Largest request body accepted; a payment request is a few hundred bytes. */
export const BODY_LIMIT_BYTES = 16 * 1024;

export interface ServerDependencies {
  readonly service: PaymentsService;
  readonly ping: () => Promise<void>;
  readonly apiToken: string;
  readonly logger: FastifyBaseLogger;
  readonly tracer: Tracer;
  /** Served at `GET /metrics` when given. */
  readonly metrics: PaymentsMetrics | undefined;
}

/** Builds the Fastify app with every route, ready to listen; opens nothing itself. */
export async function buildServer(deps: ServerDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: BODY_LIMIT_BYTES,
    // The caller's x-request-id only if well-formed (Fastify's requestIdHeader takes any value).
    genReqId: requestIdOf,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    // Fastify's own 503 while closing is not a problem+json body; requests that still arrive
    // during the drain are answered normally (with Connection: close) instead.
    return503OnClosing: false,
    // Errors Fastify raises before routing (a malformed URL, a path parameter longer than
    // maxParamLength) get a problem body like every other refusal, not Fastify's own JSON.
    frameworkErrors: (error, _request, reply) => {
      void sendProblem(reply, toProblem(error, BODY_LIMIT_BYTES));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // TypeBox checks bodies as sent: Ajv's defaults would coerce "100" to 100 and drop extra fields.
  app.setValidatorCompiler(TypeBoxValidatorCompiler);
  registerProblemHandlers(app);
  acceptJsonOnly(app);
  observeRequests(app, deps.tracer, deps.metrics);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'payments-api',
        version: '0.1.0',
        description: 'Mock payment provider: confirms or declines at random, refunds, voids.',
      },
      components: {
        securitySchemes: { [BEARER_SECURITY_SCHEME]: { type: 'http', scheme: 'bearer' } },
      },
    },
  });
  await app.register(healthRoutes, { ping: deps.ping });
  await app.register(paymentsRoutes, {
    service: deps.service,
    apiToken: deps.apiToken,
    metrics: deps.metrics,
  });
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  const { metrics } = deps;
  if (metrics !== undefined) {
    // Operational data: keep this port off the public internet (or METRICS_ENABLED=false).
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
      reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
    );
  }
  return app;
}

function acceptJsonOnly(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  // Without the text/plain parser any other media type is answered 415.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    // Clients often label a bodiless POST (a refund) as JSON; treat it as no body at all.
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}
