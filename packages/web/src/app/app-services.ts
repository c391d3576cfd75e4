import { env } from '../config/env.js';
import type { AppServices } from '../lib/app-services.js';
import { authorizationOf, readAccessToken } from '../lib/auth/access-token.js';
import { createApolloClient } from '../lib/graphql/apollo-client.js';
import { createWsClient } from '../lib/graphql/ws-client.js';
import { startConnectionActor } from '../lib/connection/connection-store.js';
import { OrderEventsFeed } from '../lib/live/order-events-feed.js';

export function createAppServices(): AppServices {
  // Read once: changing the token reloads the tab, so every connection uses the new one.
  const authorization = authorizationOf(readAccessToken());
  const wsClient = createWsClient(env.graphqlWsUrl, authorization);
  const apollo = createApolloClient({ httpUrl: env.graphqlHttpUrl, wsClient, authorization });
  const orderEvents = new OrderEventsFeed(wsClient);
  const connection = startConnectionActor(wsClient, apollo, orderEvents);
  orderEvents.start();
  return { apollo, wsClient, connection, orderEvents };
}
