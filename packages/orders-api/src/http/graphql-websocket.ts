import type { Server } from 'node:http';
import { INVALID_SPAN_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { contextFromHeaders } from '@oms/telemetry/trace-context';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { AdmissionGate } from '../admission/admission-controller.js';
import type { Authenticator } from '../auth/authenticator.js';
import type { GraphQLContext, GraphQLServices } from '../graphql/context.js';
import { LIMITS } from '../graphql/limits.js';
import type { OperationPipeline, PreparedOperation } from '../graphql/operation-pipeline.js';
import { rootFieldsOf } from '../graphql/root-fields.js';
import { acceptRequestId, contextWithRequestId } from '../observability/request-context.js';
import { admitConnection, forgetConnection, principalOfConnection } from './access.js';
import { admit, overloadedError } from './admission-gate.js';

export interface GraphQLWebSocketOptions {
  server: Server;
  pipeline: OperationPipeline;
  services: GraphQLServices;
  authenticator: Authenticator;
  tracer: Tracer;
  log: Logger;
  /** Asked before an operation that starts new work runs; none: every one runs. */
  admission: AdmissionGate | undefined;
}

/** Refused operations are counted but have no span (nothing of ours ran). */
const NOT_TRACED = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/**
 * graphql-ws on `/graphql`: adapts sockets to the operation pipeline. Each operation gets a span
 * (a child of its connection's upgrade request's trace context) and that request's id.
 */
export function serveGraphQLOverWebSocket(options: GraphQLWebSocketOptions) {
  const { pipeline, services, authenticator, tracer, log, admission } = options;
  const wsServer = new WebSocketServer({
    server: options.server,
    path: '/graphql',
    maxPayload: LIMITS.wsMaxPayloadBytes,
  });
  const run = (args: ExecutionArgs) => pipeline.run(args as PreparedOperation);
  return useServer<Record<string, unknown>>(
    {
      schema: pipeline.schema,
      connectionInitWaitTimeout: LIMITS.wsConnectionInitTimeoutMs,
      onConnect: (ctx) => admitConnection(authenticator, ctx, log),
      onClose: (ctx) => {
        forgetConnection(ctx);
      },
      execute: run,
      subscribe: run,
      onSubscribe: (ctx, _id, payload) => {
        const refuse = (errors: readonly GraphQLError[]) => {
          pipeline.observe(NOT_TRACED).finished(pipeline.formatErrors(errors));
          return errors as GraphQLError[];
        };
        // graphql-ws lists every operation running on the socket, this one included.
        if (Object.keys(ctx.subscriptions).length > LIMITS.wsMaxSubscriptions) {
          const message = `At most ${LIMITS.wsMaxSubscriptions} subscriptions may run at once on one connection`;
          return refuse([
            new GraphQLError(message, { extensions: { code: 'TOO_MANY_SUBSCRIPTIONS' } }),
          ]);
        }
        const prepared = pipeline.prepare(payload.query);
        if (prepared.errors !== undefined) return refuse(prepared.errors);
        const decision =
          admission === undefined
            ? null
            : admit(admission, rootFieldsOf(prepared.document, payload.operationName));
        if (decision?.admitted === false) {
          return refuse([overloadedError(decision.retryAfterSeconds)]);
        }
        const { request } = ctx.extra;
        const parent = contextFromHeaders(request.headers);
        const span = tracer.startSpan(
          'graphql',
          { kind: SpanKind.SERVER, attributes: { 'network.transport': 'websocket' } },
          parent,
        );
        const requestId = acceptRequestId(request.headers['x-request-id']);
        return {
          schema: pipeline.schema,
          document: prepared.document,
          contextValue: {
            ...services,
            principal: principalOfConnection(ctx),
          } satisfies GraphQLContext,
          variableValues: payload.variables,
          operationName: payload.operationName,
          scope: {
            observed: pipeline.observe(span),
            active: contextWithRequestId(trace.setSpan(parent, span), requestId),
            // The span covers the execution, or for a subscription its setting up.
            done: () => {
              span.end();
              decision?.release();
            },
          },
        } satisfies PreparedOperation;
      },
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors ? { ...result, errors: pipeline.formatErrors(result.errors) } : result,
      onError: (_ctx, _id, _payload, errors) => pipeline.formatErrors(errors),
    },
    wsServer,
  );
}
