// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { connectionMachine, type ConnectionEvent } from './connection.machine.js';

/** The real machine; `resync` is the app's to provide, so the test counts its calls. */
function start() {
  const seen = { resyncs: 0, resynced: 0 };
  const actor = createActor(
    connectionMachine.provide({
      actions: {
        resync: () => {
          seen.resyncs++;
        },
      },
    }),
  );
  actor.on('resynced', () => {
    seen.resynced++;
  });
  actor.start();
  const send = (...types: ConnectionEvent['type'][]) => {
    for (const type of types) actor.send({ type });
  };
  const state = () => actor.getSnapshot().value;
  return { actor, seen, send, state };
}

describe('connection machine', () => {
  it('is connecting until the socket is up, then online', () => {
    const { send, state, seen } = start();
    expect(state()).toBe('connecting');
    send('WS_CONNECTING');
    expect(state()).toBe('connecting');
    send('WS_CONNECTED');
    expect(state()).toBe('online');
    // Even the first connect re-reads: the page's first read may have finished before it.
    expect(seen).toEqual({ resyncs: 1, resynced: 1 });
  });

  it('goes offline when the socket closes', () => {
    const { send, state } = start();
    send('WS_CONNECTED', 'WS_CLOSED');
    expect(state()).toBe('offline');
    // Retrying does not pretend to be back.
    send('WS_CONNECTING');
    expect(state()).toBe('offline');
  });

  it('re-reads what is shown after a reconnect, and says so', () => {
    const { send, state, seen } = start();
    send('WS_CONNECTING', 'WS_CONNECTED', 'WS_CLOSED', 'WS_CONNECTING');
    expect(state()).toBe('offline');
    expect(seen).toEqual({ resyncs: 1, resynced: 1 });
    send('WS_CONNECTED');
    expect(state()).toBe('online');
    expect(seen).toEqual({ resyncs: 2, resynced: 2 });
    // Every later reconnect re-reads again.
    send('WS_CLOSED', 'WS_CONNECTED');
    expect(seen).toEqual({ resyncs: 3, resynced: 3 });
  });

  it('treats a new attempt while online as a dropped socket', () => {
    const { send, state, seen } = start();
    send('WS_CONNECTED', 'WS_CONNECTING');
    expect(state()).toBe('offline');
    send('WS_CONNECTED');
    expect(state()).toBe('online');
    expect(seen.resyncs).toBe(2);
  });

  it('re-reads nothing while the socket has never come up', () => {
    const { send, state, seen } = start();
    send('WS_CONNECTING', 'WS_CLOSED', 'WS_CONNECTING', 'WS_CLOSED', 'WS_CONNECTING');
    expect(state()).toBe('offline');
    expect(seen).toEqual({ resyncs: 0, resynced: 0 });
    send('WS_CONNECTED');
    expect(state()).toBe('online');
    expect(seen).toEqual({ resyncs: 1, resynced: 1 });
  });

  it('re-reads nothing on a connect that resumes from the last event seen', () => {
    const { actor, send, state, seen } = start();
    send('WS_CONNECTED', 'WS_CLOSED', 'WS_CONNECTING');
    expect(seen).toEqual({ resyncs: 1, resynced: 1 });
    actor.send({ type: 'WS_CONNECTED', resumed: true });
    expect(state()).toBe('online');
    expect(seen).toEqual({ resyncs: 1, resynced: 1 });
    // One without a cursor re-reads again.
    send('WS_CLOSED');
    actor.send({ type: 'WS_CONNECTED', resumed: false });
    expect(seen).toEqual({ resyncs: 2, resynced: 2 });
  });

  it('re-reads when the live updates lose their place while online', () => {
    const { send, seen } = start();
    send('WS_CONNECTED', 'FEED_LOST');
    expect(seen).toEqual({ resyncs: 2, resynced: 2 });
  });
});
