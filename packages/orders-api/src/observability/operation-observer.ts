import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { Kind, type GraphQLFormattedError, type OperationDefinitionNode } from 'graphql';
import type { OrdersMetrics } from './metrics.js';

/**
 * The metric label and span name of an operation: its root fields, sorted (`createOrder`,
 * `order,orders`). Unlike `operationName`, which the client makes up, these come from the schema,
 * so there are few of them.
 */
export function operationLabel(operation: OperationDefinitionNode): string {
  let label = labels.get(operation);
  if (label === undefined) {
    const fields = new Set<string>();
    for (const selection of operation.selectionSet.selections) {
      fields.add(selection.kind === Kind.FIELD ? selection.name.value : '(fragment)');
    }
    label = [...fields].sort().join(',');
    labels.set(operation, label);
  }
  return label;
}

/** Labels of the operations seen, kept as long as their (cached) documents are. */
const labels = new WeakMap<OperationDefinitionNode, string>();

/** One GraphQL operation being observed, whatever transport carries it. */
export interface ObservedOperation {
  /** The operation is known: names its span and labels its metrics. */
  resolved(operation: OperationDefinitionNode, operationName: string | null | undefined): void;
  /**
   * The operation was answered (for a subscription: set up), with these errors as the client
   * sees them: counts and times it by outcome, `ok` or the first error's code.
   */
  finished(errors: readonly GraphQLFormattedError[] | undefined): void;
}

/**
 * Observes every GraphQL operation the same way over HTTP and WebSocket: the span of the
 * operation is named after it and marked with its outcome, and the operation is counted and
 * timed by root fields, type and outcome.
 */
export function observeOperation(
  span: Span,
  metrics: OrdersMetrics | undefined,
): ObservedOperation {
  const started = performance.now();
  let operation = '(invalid)';
  let type = 'unknown';
  return {
    resolved(ast, operationName) {
      type = ast.operation;
      operation = operationLabel(ast);
      span.updateName(`${type} ${operation}`);
      span.setAttributes({
        'graphql.operation.type': type,
        'graphql.operation.name': operationName ?? '',
      });
    },
    finished(errors) {
      const code = errors?.[0]?.extensions?.code;
      const outcome =
        errors === undefined || errors.length === 0
          ? 'ok'
          : typeof code === 'string'
            ? code
            : 'INTERNAL_SERVER_ERROR';
      if (outcome !== 'ok') {
        span.setAttribute('graphql.error.code', outcome);
        span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
      }
      metrics?.graphqlOperations.inc({ operation, type, outcome });
      metrics?.graphqlDuration.observe({ operation, type }, (performance.now() - started) / 1000);
    },
  };
}

/** Counts a subscription in the gauge until it ends, exactly once however it ends. */
export function countWhileOpen<T>(
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
