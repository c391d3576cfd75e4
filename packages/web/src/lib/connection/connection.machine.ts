import { assign, emit, setup } from 'xstate';

/** What the graphql-ws client reports about its socket. */
export type ConnectionEvent =
  { type: 'WS_CONNECTING' } | { type: 'WS_CONNECTED' } | { type: 'WS_CLOSED' };

/**
 * Whether live updates are flowing. A socket that comes back after having been up emits
 * `resynced`: events sent while it was down are lost, so whatever is on screen must be re-read.
 */
export const connectionMachine = setup({
  types: {
    context: {} as { everConnected: boolean },
    events: {} as ConnectionEvent,
    emitted: {} as { type: 'resynced' },
  },
  guards: {
    isReconnect: ({ context }) => context.everConnected,
  },
  actions: {
    /** Re-reads what the screen shows; the app provides it (Apollo's active queries). */
    resync: () => undefined,
  },
}).createMachine({
  id: 'connection',
  context: { everConnected: false },
  initial: 'connecting',
  on: {
    WS_CONNECTED: [
      { guard: 'isReconnect', target: '.online', actions: ['resync', emit({ type: 'resynced' })] },
      { target: '.online', actions: assign({ everConnected: true }) },
    ],
    WS_CLOSED: '.offline',
  },
  states: {
    connecting: {},
    online: {
      // A new attempt while up means the socket was dropped without a close we saw.
      on: { WS_CONNECTING: 'offline' },
    },
    offline: {},
  },
});
