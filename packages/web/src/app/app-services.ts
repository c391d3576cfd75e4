import { env } from '../config/env.js';
import type { AppServices } from '../lib/app-services.js';
import { authorizationOf, readAccessToken } from '../lib/auth/access-token.js';
import { createApolloClient } from '../lib/graphql/apollo-client.js';
import { createWsClient } from '../lib/graphql/ws-client.js';
import { startConnectionActor } from '../lib/connection/connection-store.js';

export function createAppServices(): AppServices {
  // Read once: changing the token reloads the tab, so every connection uses the new one.
  const authorization = authorizationOf(readAccessToken());
  const wsClient = createWsClient(env.graphqlWsUrl, authorization);
  const apollo = createApolloClient({ httpUrl: env.graphqlHttpUrl, wsClient, authorization });
  const connection = startConnectionActor(wsClient, apollo);
  return { apollo, wsClient, connection };
}
