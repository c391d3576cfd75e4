import { emit, setup } from 'xstate';

/** What the graphql-ws client reports about its socket. */
export type ConnectionEvent =
  | { type: 'WS_CONNECTING' }
  | { type: 'WS_CONNECTED' }
  | { type: 'WS_CLOSED' }
  /** Closed because the server refused the token (or its absence); no retry follows. */
  | { type: 'WS_REFUSED' };

/**
 * Whether live updates are flowing. Every connect emits `resynced` and runs `resync`: events sent
 * while the socket was down are lost, and on a cold load the first read may finish before the
 * socket is up, so whatever is on screen is re-read each time live updates (re)start.
 */
export const connectionMachine = setup({
  types: {
    events: {} as ConnectionEvent,
    emitted: {} as { type: 'resynced' },
  },
  actions: {
    /** Re-reads what the screen shows; the app provides it (Apollo's active queries). */
    resync: () => undefined,
  },
}).createMachine({
  id: 'connection',
  initial: 'connecting',
  on: {
    WS_CONNECTED: { target: '.online', actions: ['resync', emit({ type: 'resynced' })] },
    WS_CLOSED: '.offline',
    WS_REFUSED: '.refused',
  },
  states: {
    connecting: {},
    online: {
      // A new attempt while up means the socket was dropped without a close we saw.
      on: { WS_CONNECTING: 'offline' },
    },
    offline: {},
    refused: {},
  },
});
