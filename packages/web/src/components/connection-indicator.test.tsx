import { ApolloClient, InMemoryCache } from '@apollo/client';
import { MockLink } from '@apollo/client/testing';
import { act, render, screen } from '@testing-library/react';
import { createClient } from 'graphql-ws';
import { afterEach, describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { AppServicesContext, type AppServices } from '../lib/app-services.js';
import { connectionMachine, type ConnectionEvent } from '../lib/connection/connection.machine.js';
import { OrderEventsFeed } from '../lib/live/order-events-feed.js';
import { ConnectionIndicator } from './connection-indicator.js';

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const dispose of disposers.splice(0)) dispose();
});

/** The indicator over a real connection actor, which the test drives with the socket's events. */
function renderIndicator() {
  const connection = createActor(connectionMachine).start();
  // Lazy: it opens no socket unless something subscribes, and nothing here does.
  const wsClient = createClient({ url: 'ws://127.0.0.1:9/graphql', lazy: true });
  const services: AppServices = {
    apollo: new ApolloClient({ link: new MockLink([]), cache: new InMemoryCache() }),
    wsClient,
    connection,
    // Not started: the indicator follows the connection actor only.
    orderEvents: new OrderEventsFeed(wsClient),
  };
  disposers.push(() => {
    connection.stop();
    void wsClient.dispose();
  });
  render(
    <AppServicesContext value={services}>
      <ConnectionIndicator />
    </AppServicesContext>,
  );
  return {
    indicator: () => screen.getByRole('status', { name: 'Live updates' }),
    send: (type: ConnectionEvent['type']) => {
      act(() => {
        connection.send({ type });
      });
    },
  };
}

describe('ConnectionIndicator', () => {
  it('says whether live updates are flowing, as the socket comes and goes', () => {
    const { indicator, send } = renderIndicator();
    expect(indicator().textContent).toBe('Connecting…');
    send('WS_CONNECTED');
    expect(indicator().textContent).toBe('Live');
    send('WS_CLOSED');
    expect(indicator().textContent).toBe('Offline, reconnecting…');
    expect(indicator().title).toMatch(/refresh when they return/);
    send('WS_CONNECTING');
    expect(indicator().textContent).toBe('Offline, reconnecting…');
    send('WS_CONNECTED');
    expect(indicator().textContent).toBe('Live');
    expect(indicator().title).toBe('');
  });

  it('says offline when the first attempts fail', () => {
    const { indicator, send } = renderIndicator();
    send('WS_CONNECTING');
    send('WS_CLOSED');
    expect(indicator().textContent).toBe('Offline, reconnecting…');
  });
});
