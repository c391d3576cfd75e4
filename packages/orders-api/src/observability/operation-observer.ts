import type { ApolloServerPlugin } from '@apollo/server';
import {
  SpanKind,
  SpanStatusCode,
  context,
  trace,
  type Context,
  type Tracer,
} from '@opentelemetry/api';
import {
  Kind,
  getOperationAST,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLError,
  type OperationDefinitionNode,
} from 'graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { OrderError } from '../orders/order-errors.js';
import type { OrdersMetrics } from './metrics.js';
import { contextWithRequestId } from './request-context.js';

/**
 * The metric label and span name of an operation: its root fields, sorted (`createOrder`,
 * `order,orders`). Unlike `operationName`, which the client makes up, these come from the schema,
 * so there are few of them.
 */
export function operationLabel(operation: OperationDefinitionNode): string {
  const fields = new Set<string>();
  for (const selection of operation.selectionSet.selections) {
    fields.add(selection.kind === Kind.FIELD ? selection.name.value : '(fragment)');
  }
  return [...fields].sort().join(',');
}

/** The `extensions.code` an error is answered with (see graphql/errors.ts), for the outcome label. */
function codeOf(error: GraphQLError): string {
  if (error.originalError instanceof OrderError) return error.originalError.code;
  const code = error.extensions.code;
  if (typeof code === 'string') return code;
  return error.path === undefined ? 'GRAPHQL_VALIDATION_FAILED' : 'INTERNAL_SERVER_ERROR';
}

/**
 * Apollo plugin for operations over HTTP: names the request's span after the operation (the span
 * itself is the HTTP request's, active while resolvers run, see http-observability.ts) and counts
 * and times each operation by root fields, type and outcome.
 */
export function graphqlObservabilityPlugin(
  metrics: OrdersMetrics | undefined,
): ApolloServerPlugin<GraphQLContext> {
  return {
    requestDidStart() {
      const started = performance.now();
      let operation = '(invalid)';
      let type = 'unknown';
      return Promise.resolve({
        didResolveOperation(request) {
          if (request.operation === undefined) return Promise.resolve();
          type = request.operation.operation;
          operation = operationLabel(request.operation);
          const span = trace.getActiveSpan();
          span?.updateName(`${type} ${operation}`);
          span?.setAttributes({
            'graphql.operation.type': type,
            'graphql.operation.name': request.operationName ?? '',
          });
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : [];
          const code = errors?.[0]?.extensions?.code;
          const outcome =
            errors === undefined || errors.length === 0
              ? 'ok'
              : typeof code === 'string'
                ? code
                : 'INTERNAL_SERVER_ERROR';
          if (outcome !== 'ok') trace.getActiveSpan()?.setAttribute('graphql.error.code', outcome);
          metrics?.graphqlOperations.inc({ operation, type, outcome });
          metrics?.graphqlDuration.observe(
            { operation, type },
            (performance.now() - started) / 1000,
          );
          return Promise.resolve();
        },
      });
    },
  };
}

type Run = (args: ExecutionArgs) => Promise<ExecutionResult | AsyncIterable<ExecutionResult>>;

/** Where a WebSocket operation came from: its connection's request id and trace context. */
export interface WsOrigin {
  requestId: string;
  parent: Context;
}

/**
 * Wraps graphql-ws's `execute` and `subscribe` (Apollo's plugins do not run there): a span per
 * operation, active while it resolves, the same operation metrics as over HTTP, and the count of
 * open subscriptions, which goes down however a subscription ends (complete, error, socket closed).
 */
export function observedWsExecution(
  run: { execute: Run; subscribe: Run },
  tracer: Tracer,
  metrics: OrdersMetrics | undefined,
  originOf: (document: DocumentNode) => WsOrigin | undefined,
) {
  const observed =
    (fn: Run): Run =>
    async (args) => {
      const ast = getOperationAST(args.document, args.operationName) ?? undefined;
      const type = ast?.operation ?? 'unknown';
      const operation = ast === undefined ? '(invalid)' : operationLabel(ast);
      const origin = originOf(args.document);
      const parent = origin?.parent ?? context.active();
      const requestId = origin?.requestId;
      const span = tracer.startSpan(
        `${type} ${operation}`,
        {
          kind: SpanKind.SERVER,
          attributes: {
            'graphql.operation.type': type,
            'graphql.operation.name': args.operationName ?? '',
            'network.transport': 'websocket',
          },
        },
        parent,
      );
      const started = performance.now();
      const withSpan = trace.setSpan(parent, span);
      const active = requestId === undefined ? withSpan : contextWithRequestId(withSpan, requestId);
      try {
        const result = await context.with(active, () => fn(args));
        const first = Symbol.asyncIterator in result ? undefined : result.errors?.[0];
        const outcome = first === undefined ? 'ok' : codeOf(first);
        if (outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
        metrics?.graphqlOperations.inc({ operation, type, outcome });
        if (Symbol.asyncIterator in result && metrics !== undefined) {
          return countWhileOpen(result, metrics);
        }
        return result;
      } finally {
        metrics?.graphqlDuration.observe({ operation, type }, (performance.now() - started) / 1000);
        span.end();
      }
    };
  return { execute: observed(run.execute), subscribe: observed(run.subscribe) };
}

/** Counts a subscription in the gauge until it ends, exactly once however it ends. */
function countWhileOpen<T>(
  source: AsyncIterable<T>,
  metrics: OrdersMetrics,
): AsyncIterableIterator<T> {
  const events = source[Symbol.asyncIterator]();
  metrics.activeSubscriptions.inc();
  let open = true;
  const close = () => {
    if (!open) return;
    open = false;
    metrics.activeSubscriptions.dec();
  };
  const iterator: AsyncIterableIterator<T> = {
    next: async () => {
      try {
        const result = await events.next();
        if (result.done === true) close();
        return result;
      } catch (error) {
        close();
        throw error;
      }
    },
    return: async (value?: unknown) => {
      close();
      return (await events.return?.(value)) ?? { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      close();
      if (events.throw === undefined) throw error;
      return events.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
