import { createContext, useContext } from 'react';
import type { AppServices } from './app-services.js';

export const AppServicesContext = createContext<AppServices | null>(null);

/** The tab's Apollo client, WebSocket and connection actor. */
export function useAppServices(): AppServices {
  const services = useContext(AppServicesContext);
  if (services === null) throw new Error('useAppServices outside <App>');
  return services;
}
