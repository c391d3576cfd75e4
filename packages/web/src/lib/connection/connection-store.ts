import type { ApolloClient } from '@apollo/client';
import type { Client } from 'graphql-ws';
import { createActor, type ActorRefFrom } from 'xstate';
import { isRefusal } from '../graphql/ws-client.js';
import type { OrderEventsFeed } from '../live/order-events-feed.js';
import { connectionMachine } from './connection.machine.js';

export type ConnectionActor = ActorRefFrom<typeof connectionMachine>;

/**
 * Starts the connection actor, fed by the graphql-ws client's events. A reconnect where the
 * order events `feed` resumes from its cursor re-reads nothing (the server replays what was
 * missed, and loaded pages stay as they are); any other connect refetches every active query,
 * so a list or page never keeps a status it missed.
 */
export function startConnectionActor(
  wsClient: Client,
  apollo: ApolloClient,
  feed?: OrderEventsFeed,
): ConnectionActor {
  const actor = createActor(
    connectionMachine.provide({
      actions: {
        resync: () => {
          void apollo.refetchQueries({ include: 'active' });
        },
      },
    }),
  );
  actor.start();
  wsClient.on('connecting', () => {
    actor.send({ type: 'WS_CONNECTING' });
  });
  wsClient.on('connected', () => {
    actor.send({ type: 'WS_CONNECTED', resumed: feed?.resumable ?? false });
  });
  feed?.onLost(() => {
    actor.send({ type: 'FEED_LOST' });
  });
  wsClient.on('closed', (event) => {
    actor.send({ type: isRefusal(event) ? 'WS_REFUSED' : 'WS_CLOSED' });
  });
  return actor;
}
