import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expressMiddleware } from '@as-integrations/express5';
import type { Tracer } from '@opentelemetry/api';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AdmissionGate } from '../admission/admission-controller.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { GraphQLServices } from '../graphql/context.js';
import type { OperationPipeline } from '../graphql/operation-pipeline.js';
import { observeRequests, resumeRequestContext } from '../observability/http-observability.js';
import type { OrdersMetrics } from '../observability/metrics.js';
import { principalOfRequest, requireBearer } from './access.js';
import { admitOverHttp } from './admission-gate.js';
import { serveOrdersExport } from './orders-export.js';
import { startApollo } from './graphql-http.js';
import { serveGraphQLOverWebSocket } from './graphql-websocket.js';

export interface HttpServerOptions {
  /** How every GraphQL operation is handled, over HTTP and WebSocket alike. */
  pipeline: OperationPipeline;
  /** The services every operation's context holds, with the principal of its request or socket. */
  services: GraphQLServices;
  /** Who each request and WebSocket connection is; the demo customer when access is off. */
  authenticator: Authenticator;
  host: string;
  port: number;
  maxBodyBytes: number;
  /** Orders read per statement by `GET /orders.csv`. */
  exportBatchSize: number;
  /** Where a browser opening `/graphql` is redirected: the SPA's bundled GraphQL IDE. */
  ideUrl: string;
  log: Logger;
  /** Resolves to the failing checks; empty when the service can take traffic. */
  readiness: () => Promise<string[]>;
  tracer: Tracer;
  /** Served at `GET /metrics` when given. */
  metrics: OrdersMetrics | undefined;
  /** Asked before an operation that starts new work runs; none: every one runs. */
  admission: AdmissionGate | undefined;
}

export interface RunningHttpServer {
  port: number;
  server: Server;
  /** Stops taking requests, lets in-flight ones finish, closes subscriptions properly. */
  close(): Promise<void>;
}

/**
 * A person who opens `/graphql` in a browser is sent to the GraphQL IDE. A GraphQL request never
 * is: it has a `query` parameter, or accepts JSON at least as much as HTML (clients, curl).
 */
function redirectBrowsersTo(ideUrl: string): RequestHandler {
  return (req, res, next) => {
    const best = req.accepts([
      'application/graphql-response+json',
      'application/json',
      'text/html',
    ]);
    if (req.query.query === undefined && best === 'text/html') {
      res.redirect(302, ideUrl);
    } else {
      next();
    }
  };
}

/** GraphQL over HTTP and graphql-ws on one port and path (`/graphql`), plus health probes. */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { pipeline, services, authenticator, log, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.use(observeRequests({ tracer: options.tracer, log, metrics }));
  const server = createServer(app);
  const websocket = serveGraphQLOverWebSocket({
    server,
    pipeline,
    services,
    authenticator,
    tracer: options.tracer,
    log,
    admission: options.admission,
  });
  const apollo = await startApollo(pipeline, server, async () => {
    await websocket.dispose();
  });

  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/ready', async (_req, res) => {
    const failing = await options.readiness();
    res.status(failing.length === 0 ? 200 : 503).json({
      status: failing.length === 0 ? 'ready' : 'unavailable',
      failing,
    });
  });
  if (metrics !== undefined) {
    // Operational data (volumes, error rates): keep this port off the public internet, or block
    // the path at the proxy, or set METRICS_ENABLED=false.
    app.get('/metrics', async (_req, res) => {
      res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    });
  }
  app.get(
    '/orders.csv',
    requireBearer(authenticator, log),
    serveOrdersExport(services.orders, options.exportBatchSize, log),
  );
  app.get('/graphql', redirectBrowsersTo(options.ideUrl));
  app.use(
    '/graphql',
    requireBearer(authenticator, log),
    express.json({ limit: options.maxBodyBytes }),
    resumeRequestContext(),
    ...(options.admission === undefined ? [] : [admitOverHttp(options.admission, pipeline)]),
    expressMiddleware(apollo, {
      context: ({ req }) => Promise.resolve({ ...services, principal: principalOfRequest(req) }),
    }),
  );
  app.use((_req, res) => {
    res.status(404).json({ errors: [{ message: 'Not found', extensions: { code: 'NOT_FOUND' } }] });
  });
  const onError: ErrorRequestHandler = (
    error: { type?: string; status?: number },
    _req,
    res,
    _next,
  ) => {
    // Body parser failures are the client's; anything else is ours and logged once.
    if (error.type === 'entity.too.large') {
      res.status(413).json({
        errors: [
          {
            message: `Request body is larger than ${options.maxBodyBytes} bytes`,
            extensions: { code: 'PAYLOAD_TOO_LARGE' },
          },
        ],
      });
    } else if (error.type === 'entity.parse.failed') {
      res.status(400).json({
        errors: [
          { message: 'Request body is not valid JSON', extensions: { code: 'BAD_REQUEST' } },
        ],
      });
    } else if (error.status !== undefined && error.status >= 400 && error.status < 500) {
      res.status(error.status).json({
        errors: [{ message: 'Bad request', extensions: { code: 'BAD_REQUEST' } }],
      });
    } else {
      log.error({ err: error }, 'unexpected HTTP error');
      res.status(500).json({
        errors: [
          { message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        ],
      });
    }
  };
  app.use(onError);

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    server,
    async close() {
      // Drains HTTP requests in flight, then graphql-ws closes every socket with 1001 (going away).
      await apollo.stop();
    },
  };
}
