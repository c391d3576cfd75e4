import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
  ApolloServerPluginSchemaReportingDisabled,
  ApolloServerPluginUsageReportingDisabled,
} from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import type { GraphQLContext } from '../graphql/context.js';
import type { OperationPipeline } from '../graphql/operation-pipeline.js';

/**
 * Apollo Server for GraphQL over HTTP, running the operation pipeline's limits, error formatting
 * and observation. Stopping it drains HTTP requests in flight, then `onDrain` (the WebSocket
 * transport closes every socket with 1001, going away).
 */
export async function startApollo(
  pipeline: OperationPipeline,
  server: Server,
  onDrain: () => Promise<void>,
): Promise<ApolloServer<GraphQLContext>> {
  const apollo = new ApolloServer<GraphQLContext>({
    schema: pipeline.schema,
    ...pipeline.apollo,
    includeStacktraceInErrorResponses: false,
    allowBatchedHttpRequests: false,
    // Every operation carries its text, so admission control (before Apollo) and the limits see
    // what it runs; nothing here sends persisted-query hashes.
    persistedQueries: false,
    plugins: [
      ...(pipeline.apollo.plugins ?? []),
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      // Apollo's landing page loads its IDE from a CDN; browsers get the bundled one instead.
      ApolloServerPluginLandingPageDisabled(),
      // Installed by default, the cache-control plugin wraps every field's resolver to compute
      // cache hints that nothing here reads (responses are never cached).
      ApolloServerPluginCacheControlDisabled(),
      // Nothing is reported to Apollo's cloud, whatever the environment says.
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginUsageReportingDisabled(),
      ApolloServerPluginSchemaReportingDisabled(),
      {
        serverWillStart() {
          return Promise.resolve({ drainServer: onDrain });
        },
      } satisfies ApolloServerPlugin<GraphQLContext>,
    ],
  });
  await apollo.start();
  return apollo;
}
