import type { ApolloClient } from '@apollo/client';
import type { Client } from 'graphql-ws';
import { createContext, useContext } from 'react';
import type { ConnectionActor } from './connection/connection-store.js';

/** The long-lived objects of one browser tab (the app makes them: app/app-services.ts). */
export interface AppServices {
  apollo: ApolloClient;
  wsClient: Client;
  connection: ConnectionActor;
}

export const AppServicesContext = createContext<AppServices | null>(null);

/** The tab's Apollo client, WebSocket and connection actor. */
export function useAppServices(): AppServices {
  const services = useContext(AppServicesContext);
  if (services === null) throw new Error('useAppServices outside <App>');
  return services;
}
