import type { ApolloServerOptions, ApolloServerPlugin } from '@apollo/server';
import { INVALID_SPAN_CONTEXT, context, trace, type Context, type Span } from '@opentelemetry/api';
import {
  GraphQLError,
  OperationTypeNode,
  execute,
  getOperationAST,
  parse,
  specifiedRules,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from 'graphql';
import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { OrdersMetrics } from '../observability/metrics.js';
import {
  countWhileOpen,
  observeOperation,
  type ObservedOperation,
} from '../observability/operation-observer.js';
import type { GraphQLContext } from './context.js';
import { createErrorFormatter } from './errors.js';
import { MAX_TOKENS, operationLimits } from './limits.js';
import { rootFieldsOf } from './root-fields.js';

/** Distinct documents whose parse and validation are kept (clients send a handful). */
const DOCUMENT_CACHE_SIZE = 1_000;

/** A document parsed and validated, or why it was refused. */
export type PreparedDocument =
  | { document: DocumentNode; errors?: undefined }
  | { document?: undefined; errors: readonly GraphQLError[] };

/** What an operation carries besides its context: its observation and the context to run in. */
export interface OperationScope {
  observed: ObservedOperation;
  /** The OpenTelemetry context (span, request id) resolvers run in. */
  active: Context;
  /** Called once the operation has run (a subscription: once it is set up). */
  done(): void;
}

/** An operation ready to run: graphql-js's arguments with our context and scope. */
export type PreparedOperation = ExecutionArgs & {
  contextValue: GraphQLContext;
  scope: OperationScope;
};

/**
 * The one way a GraphQL operation is handled, whatever carries it: parse with the token limit,
 * validate with the limits, execute or subscribe, format errors at the one edge, observe. Apollo
 * runs it over HTTP from `apollo` (its own parse and document cache, with these options);
 * the WebSocket transport calls `prepare`, `run` and `formatErrors` itself.
 */
export interface OperationPipeline {
  readonly schema: GraphQLSchema;
  /** Apollo Server's share of the pipeline: limits, error formatting and observation. */
  readonly apollo: Pick<
    ApolloServerOptions<GraphQLContext>,
    'parseOptions' | 'validationRules' | 'formatError' | 'plugins'
  >;
  /** Parses and validates a document, once per distinct text. */
  prepare(query: string): PreparedDocument;
  /**
   * The root fields the operation would run, from the cached document; undefined when the
   * document is refused or has no such operation (nothing of it runs).
   */
  rootFields(
    query: string,
    operationName: string | null | undefined,
  ): readonly string[] | undefined;
  /** Starts observing an operation in `span`, which the transport made for it. */
  observe(span: Span): ObservedOperation;
  /** Executes a query or mutation, or sets up a subscription, in the operation's scope. */
  run(
    operation: PreparedOperation,
  ): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>>;
  /** Errors as they leave the service. */
  formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[];
}

export interface OperationPipelineOptions {
  schema: GraphQLSchema;
  log: Logger;
  metrics: OrdersMetrics | undefined;
}

/** As graphql-armor does over HTTP: field names are not guessed for the client. */
function hideSuggestions(message: string): string {
  return message.replace(/ Did you mean .*\?$/s, ' [Suggestion hidden]');
}

/** Builds the pipeline for one schema; one per process. */
export function createOperationPipeline(options: OperationPipelineOptions): OperationPipeline {
  const { schema, metrics } = options;
  const limits = operationLimits();
  const formatError = createErrorFormatter(options.log);
  const rules = [...specifiedRules, ...limits.validationRules];
  const documents = new LRUCache<string, PreparedDocument>({ max: DOCUMENT_CACHE_SIZE });

  function prepare(query: string): PreparedDocument {
    const cached = documents.get(query);
    if (cached !== undefined) return cached;
    let document: DocumentNode;
    try {
      document = parse(query, { maxTokens: MAX_TOKENS });
    } catch (error) {
      // Not cached: a client sending garbage should not fill the cache.
      const message = error instanceof GraphQLError ? error.message : 'Syntax error';
      return {
        errors: [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })],
      };
    }
    const invalid = validate(schema, document, rules);
    if (invalid.length > 0) {
      return {
        errors: invalid.map(
          (e) =>
            new GraphQLError(hideSuggestions(e.message), {
              nodes: e.nodes,
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
            }),
        ),
      };
    }
    const prepared = { document };
    documents.set(query, prepared);
    return prepared;
  }

  function formatErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
    return errors.map((e) => formatError(e.toJSON(), e));
  }

  async function run(
    operation: PreparedOperation,
  ): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
    const { scope } = operation;
    try {
      const ast = getOperationAST(operation.document, operation.operationName) ?? undefined;
      if (ast !== undefined) scope.observed.resolved(ast, operation.operationName);
      const result = await context.with(scope.active, () =>
        ast?.operation === OperationTypeNode.SUBSCRIPTION
          ? subscribe(operation)
          : execute(operation),
      );
      if (Symbol.asyncIterator in result) {
        scope.observed.finished(undefined);
        return metrics === undefined ? result : countWhileOpen(result, metrics);
      }
      scope.observed.finished(
        result.errors === undefined ? undefined : formatErrors(result.errors),
      );
      return result;
    } finally {
      scope.done();
    }
  }

  const observability: ApolloServerPlugin<GraphQLContext> = {
    requestDidStart() {
      // Over HTTP the operation's span is the request's, active while resolvers run.
      const span = trace.getActiveSpan() ?? trace.wrapSpanContext(INVALID_SPAN_CONTEXT);
      const observed = observeOperation(span, metrics);
      return Promise.resolve({
        didResolveOperation(request) {
          if (request.operation !== undefined) {
            observed.resolved(request.operation, request.operationName);
          }
          return Promise.resolve();
        },
        willSendResponse({ response }) {
          observed.finished(
            response.body.kind === 'single' ? response.body.singleResult.errors : undefined,
          );
          return Promise.resolve();
        },
      });
    },
  };

  return {
    schema,
    apollo: {
      // Tokens are counted by the parser, so an oversized document is a 400
      // GRAPHQL_PARSE_FAILED, as over WebSocket (graphql-armor's token plugin answered a 500).
      parseOptions: { maxTokens: MAX_TOKENS },
      validationRules: limits.validationRules,
      formatError,
      plugins: [
        // graphql-armor is typed against Apollo's CommonJS build; the plugins are the same objects.
        ...(limits.plugins as unknown as ApolloServerPlugin<GraphQLContext>[]),
        observability,
      ],
    },
    prepare,
    rootFields(query, operationName) {
      const { document } = prepare(query);
      return document === undefined ? undefined : rootFieldsOf(document, operationName);
    },
    observe: (span) => observeOperation(span, metrics),
    run,
    formatErrors,
  };
}
