import { ApolloClient, ApolloLink, HttpLink, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import type { Client } from 'graphql-ws';
import { OperationTypeNode } from 'graphql';
import type { OrdersPage } from './order.types.js';

/** Queries and mutations over HTTP, subscriptions over the shared graphql-ws client. */
export function createApolloClient(options: {
  httpUrl: string;
  wsClient: Client;
  /** `Bearer …` sent with every HTTP request, when the user has given a token. */
  authorization?: string | null;
}): ApolloClient {
  const authorization = options.authorization ?? null;
  const link = ApolloLink.split(
    (operation) => operation.operationType === OperationTypeNode.SUBSCRIPTION,
    new GraphQLWsLink(options.wsClient),
    new HttpLink({
      uri: options.httpUrl,
      headers: authorization === null ? {} : { authorization },
    }),
  );
  return new ApolloClient({
    link,
    cache: new InMemoryCache({
      typePolicies: {
        Query: {
          fields: {
            // One list per view (filter, search, sort: a cursor is valid only in its own);
            // "load more" appends the next page to it.
            orders: {
              keyArgs: ['status', 'filter', 'search', 'orderBy'],
              merge(existing: OrdersPage | undefined, incoming: OrdersPage, { args }) {
                if (existing === undefined || args?.after == null) return incoming;
                return { ...incoming, edges: [...existing.edges, ...incoming.edges] };
              },
            },
          },
        },
      },
    }),
  });
}
