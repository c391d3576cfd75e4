import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import type { Tracer } from '@opentelemetry/api';
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import {
  execute,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  GraphQLError,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Authenticator } from '../auth/authenticator.js';
import type { GraphQLContext, GraphQLServices } from '../graphql/context.js';
import { createErrorFormatter, formatForTransport } from '../graphql/errors.js';
import { LIMITS, MAX_TOKENS, operationLimits } from '../graphql/schema.js';
import {
  graphqlObservabilityPlugin,
  observedWsExecution,
  type WsOrigin,
} from '../observability/graphql-observability.js';
import { observeRequests, resumeRequestContext } from '../observability/http-observability.js';
import type { OrdersMetrics } from '../observability/metrics.js';
import { acceptRequestId } from '../observability/request-context.js';
import { contextFromHeaders } from '@oms/telemetry/trace-context';
import {
  admitConnection,
  forgetConnection,
  principalOfConnection,
  principalOfRequest,
  requireBearer,
} from './access.js';

export interface HttpServerOptions {
  schema: GraphQLSchema;
  /** The services every operation's context holds, with the principal of its request or socket. */
  services: GraphQLServices;
  /** Who each request and WebSocket connection is; the demo customer when access is off. */
  authenticator: Authenticator;
  host: string;
  port: number;
  maxBodyBytes: number;
  /** Where a browser opening `/graphql` is redirected: the SPA's bundled GraphQL IDE. */
  ideUrl: string;
  log: Logger;
  /** Resolves to the failing checks; empty when the service can take traffic. */
  readiness: () => Promise<string[]>;
  tracer: Tracer;
  /** Served at `GET /metrics` when given. */
  metrics: OrdersMetrics | undefined;
}

export interface RunningHttpServer {
  port: number;
  server: Server;
  /** Stops taking requests, lets in-flight ones finish, closes subscriptions properly. */
  close(): Promise<void>;
}

/** As graphql-armor does over HTTP: field names are not guessed for the client. */
function hideSuggestions(message: string): string {
  return message.replace(/ Did you mean .*\?$/s, ' [Suggestion hidden]');
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
  const { schema, services, authenticator, log, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.use(observeRequests({ tracer: options.tracer, log, metrics }));
  const server = createServer(app);
  const formatError = createErrorFormatter(log);
  const limits = operationLimits();

  const wsServer = new WebSocketServer({
    server,
    path: '/graphql',
    maxPayload: LIMITS.wsMaxPayloadBytes,
  });
  const rules = [...specifiedRules, ...limits.validationRules];
  // A WebSocket operation carries the request id and trace context of its connection's upgrade
  // request; the parsed document is the key that reaches the execute and subscribe wrappers.
  const connections = new WeakMap<object, WsOrigin>();
  const origins = new WeakMap<DocumentNode, WsOrigin>();
  const wsCleanup = useServer<Record<string, unknown>>(
    {
      schema,
      connectionInitWaitTimeout: LIMITS.wsConnectionInitTimeoutMs,
      context: (ctx) => ({ ...services, principal: principalOfConnection(ctx) }),
      onConnect: (ctx) => admitConnection(authenticator, ctx, log),
      onClose: (ctx) => {
        forgetConnection(ctx);
      },
      ...observedWsExecution(
        {
          execute: (args) => Promise.resolve(execute(args)),
          subscribe: (args) => subscribe(args),
        },
        options.tracer,
        metrics,
        (document) => origins.get(document),
      ),
      onSubscribe: (ctx, _id, payload) => {
        // graphql-ws lists every operation running on the socket, this one included.
        if (Object.keys(ctx.subscriptions).length > LIMITS.wsMaxSubscriptions) {
          const message = `At most ${LIMITS.wsMaxSubscriptions} subscriptions may run at once on one connection`;
          return [new GraphQLError(message, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } })];
        }
        // Apollo's plugins do not run here, so the same limits are applied by hand: tokens at
        // parse time, depth, aliases and cost as validation rules.
        let document;
        try {
          document = parse(payload.query, { maxTokens: MAX_TOKENS });
        } catch (error) {
          const message = error instanceof GraphQLError ? error.message : 'Syntax error';
          metrics?.graphqlOperations.inc({
            operation: '(invalid)',
            type: 'unknown',
            outcome: 'GRAPHQL_PARSE_FAILED',
          });
          return [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
        }
        const errors = validate(schema, document, rules);
        if (errors.length > 0) {
          metrics?.graphqlOperations.inc({
            operation: '(invalid)',
            type: 'unknown',
            outcome: 'GRAPHQL_VALIDATION_FAILED',
          });
          return errors.map(
            (e) =>
              new GraphQLError(hideSuggestions(e.message), {
                nodes: e.nodes,
                extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
              }),
          );
        }
        let origin = connections.get(ctx);
        if (origin === undefined) {
          const { request } = ctx.extra;
          origin = {
            requestId: acceptRequestId(request.headers['x-request-id']),
            parent: contextFromHeaders(request.headers),
          };
          connections.set(ctx, origin);
        }
        origins.set(document, origin);
        return {
          schema,
          document,
          contextValue: {
            ...services,
            principal: principalOfConnection(ctx),
          } satisfies GraphQLContext,
          variableValues: payload.variables,
          operationName: payload.operationName,
        };
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? { ...result, errors: formatForTransport(formatError, result.errors) }
          : result,
      onError: (_ctx, _id, _payload, errors) => formatForTransport(formatError, errors),
    },
    wsServer,
  );

  const apollo = new ApolloServer<GraphQLContext>({
    schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Tokens are counted by the parser, so an oversized document is a 400 GRAPHQL_PARSE_FAILED,
    // as over WebSocket (graphql-armor's token plugin answered it with a 500).
    parseOptions: { maxTokens: MAX_TOKENS },
    validationRules: limits.validationRules,
    plugins: [
      // graphql-armor is typed against Apollo's CommonJS build; the plugins are the same objects.
      ...(limits.plugins as unknown as ApolloServerPlugin<GraphQLContext>[]),
      graphqlObservabilityPlugin(metrics),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // Apollo's landing page loads its IDE from a CDN; browsers get the bundled one instead.
      ApolloServerPluginLandingPageDisabled(),
      {
        serverWillStart() {
          return Promise.resolve({
            drainServer: async () => {
              await wsCleanup.dispose();
            },
          });
        },
      } satisfies ApolloServerPlugin<GraphQLContext>,
    ],
  });
  await apollo.start();

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
  app.get('/graphql', redirectBrowsersTo(options.ideUrl));
  app.use(
    '/graphql',
    requireBearer(authenticator, log),
    express.json({ limit: options.maxBodyBytes }),
    resumeRequestContext(),
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
