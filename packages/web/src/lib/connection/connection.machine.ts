import { emit, setup } from 'xstate';

/** What the graphql-ws client reports about its socket. */
export type ConnectionEvent =
  | { type: 'WS_CONNECTING' }
  /**
   * The socket is up; `resumed` when live updates pick up from the last event seen (the server
   * replays what was missed), so nothing needs re-reading.
   */
  | { type: 'WS_CONNECTED'; resumed?: boolean }
  /** Live updates lost their place without the socket dropping: what is shown may be stale. */
  | { type: 'FEED_LOST' }
  | { type: 'WS_CLOSED' }
  /** Closed because the server refused the token (or its absence); no retry follows. */
  | { type: 'WS_REFUSED' };

/**
 * Whether live updates are flowing. A connect that resumes from the last event seen needs
 * nothing more: the server replays what was missed. Any other connect emits `resynced` and runs
 * `resync`: on a cold load the first read may finish before the socket is up, and without a
 * cursor events sent while the socket was down are lost, so whatever is on screen is re-read.
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
  guards: {
    resumed: ({ event }) => event.type === 'WS_CONNECTED' && event.resumed === true,
  },
}).createMachine({
  id: 'connection',
  initial: 'connecting',
  on: {
    WS_CONNECTED: [
      { guard: 'resumed', target: '.online' },
      { target: '.online', actions: ['resync', emit({ type: 'resynced' })] },
    ],
    WS_CLOSED: '.offline',
    WS_REFUSED: '.refused',
  },
  states: {
    connecting: {},
    online: {
      // A new attempt while up means the socket was dropped without a close we saw.
      on: {
        WS_CONNECTING: 'offline',
        FEED_LOST: { actions: ['resync', emit({ type: 'resynced' })] },
      },
    },
    offline: {},
    refused: {},
  },
});
