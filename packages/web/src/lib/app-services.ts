import type { ApolloClient } from '@apollo/client';
import type { Client } from 'graphql-ws';
import { createContext, useContext } from 'react';
import type { ConnectionActor } from './connection/connection-store.js';
import type { OrderEventsFeed } from './live/order-events-feed.js';

/** The long-lived objects of one browser tab (the app makes them: app/app-services.ts). */
export interface AppServices {
  apollo: ApolloClient;
  wsClient: Client;
  connection: ConnectionActor;
  /** Every order change the user may see, live, resumed after a reconnect. */
  orderEvents: OrderEventsFeed;
}

export const AppServicesContext = createContext<AppServices | null>(null);

/** The tab's Apollo client, WebSocket, connection actor and order events. */
export function useAppServices(): AppServices {
  const services = useContext(AppServicesContext);
  if (services === null) throw new Error('useAppServices outside <App>');
  return services;
}
