import type { ApolloClient } from '@apollo/client';
import type { Client } from 'graphql-ws';
import { env } from '../config/env.js';
import { authorizationOf, readAccessToken } from '../lib/auth/access-token.js';
import { createApolloClient } from '../lib/graphql/apollo-client.js';
import { createWsClient } from '../lib/graphql/ws-client.js';
import { startConnectionActor, type ConnectionActor } from '../lib/connection/connection-store.js';

/** The long-lived objects of one browser tab. */
export interface AppServices {
  apollo: ApolloClient;
  wsClient: Client;
  connection: ConnectionActor;
}

export function createAppServices(): AppServices {
  // Read once: changing the token reloads the tab, so every connection uses the new one.
  const authorization = authorizationOf(readAccessToken());
  const wsClient = createWsClient(env.graphqlWsUrl, authorization);
  const apollo = createApolloClient({ httpUrl: env.graphqlHttpUrl, wsClient, authorization });
  const connection = startConnectionActor(wsClient, apollo);
  return { apollo, wsClient, connection };
}
