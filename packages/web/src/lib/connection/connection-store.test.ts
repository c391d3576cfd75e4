import { ApolloClient, ApolloLink, InMemoryCache } from '@apollo/client';
import { MockLink } from '@apollo/client/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ORDER_QUERY } from '../graphql/order.documents.js';
import { createWsClient } from '../graphql/ws-client.js';
import { OrderEventsFeed } from '../live/order-events-feed.js';
import type { Order } from '../graphql/order.types.js';
import { startConnectionActor } from './connection-store.js';
import { orderFixture } from '../graphql/order.fixtures.js';

/**
 * A WebSocket the test opens and drops by hand. Everything above it is real: the app's
 * graphql-ws client (with its retry settings), the connection actor and Apollo Client.
 * It speaks just enough graphql-transport-ws to acknowledge the client's connection_init.
 */
class HandSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;
  static opened: HandSocket[] = [];

  readyState = HandSocket.CONNECTING;
  readonly protocol = 'graphql-transport-ws';
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;

  /** What the client sent on this socket, parsed. */
  readonly sent: { id?: string; type: string; payload?: { variables?: unknown } }[] = [];

  constructor(readonly url: string) {
    HandSocket.opened.push(this);
  }

  send(data: string): void {
    this.sent.push(JSON.parse(data) as HandSocket['sent'][number]);
    if ((JSON.parse(data) as { type: string }).type === 'connection_init') {
      queueMicrotask(() => this.onmessage?.({ data: JSON.stringify({ type: 'connection_ack' }) }));
    }
  }

  close(code = 1000, reason = ''): void {
    if (this.readyState === HandSocket.CLOSED) return;
    this.readyState = HandSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: true });
  }

  /** The server accepts the connection. */
  accept(): void {
    this.readyState = HandSocket.OPEN;
    this.onopen?.({});
  }

  /** The server sends a message. */
  receive(message: object): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }

  /** The network drops the connection without a closing handshake. */
  drop(): void {
    this.readyState = HandSocket.CLOSED;
    this.onclose?.({ code: 1006, reason: '', wasClean: false });
  }
}

const ORDER_ID = '1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b';
const disposers: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const dispose of disposers.splice(0)) await dispose();
  vi.unstubAllGlobals();
  HandSocket.opened = [];
});

function socket(n: number): HandSocket {
  const s = HandSocket.opened[n];
  if (s === undefined) throw new Error(`socket ${n} was never opened`);
  return s;
}

/** The app's services over a hand-driven socket, with one query on screen (active). */
function startApp(options: { feed?: boolean } = {}) {
  vi.stubGlobal('WebSocket', HandSocket);
  const wsClient = createWsClient('ws://orders.test/graphql');
  let reads = 0;
  const countReads = new ApolloLink((operation, forward) => {
    reads++;
    return forward(operation);
  });
  const apollo = new ApolloClient({
    link: ApolloLink.from([
      countReads,
      new MockLink([
        {
          request: { query: ORDER_QUERY, variables: { id: ORDER_ID } },
          result: { data: { order: null } },
          maxUsageCount: Number.POSITIVE_INFINITY,
        },
      ]),
    ]),
    cache: new InMemoryCache(),
  });
  const feed = options.feed === true ? new OrderEventsFeed(wsClient) : undefined;
  const connection = startConnectionActor(wsClient, apollo, feed);
  feed?.start();
  let answers = 0;
  const shown = apollo.watchQuery({ query: ORDER_QUERY, variables: { id: ORDER_ID } }).subscribe({
    next: (result) => {
      if (!result.loading) answers++;
    },
  });
  disposers.push(async () => {
    feed?.dispose();
    shown.unsubscribe();
    await wsClient.dispose();
    connection.stop();
  });
  return {
    connection,
    feed,
    reads: () => reads,
    answers: () => answers,
    state: () => connection.getSnapshot().value,
  };
}

describe('startConnectionActor', () => {
  it("follows the app's WebSocket and re-reads what is shown on every connect", async () => {
    const app = startApp();
    // The client connects at once, not on the first subscription.
    await vi.waitFor(() => {
      expect(HandSocket.opened).toHaveLength(1);
    });
    expect(app.state()).toBe('connecting');
    // The page's first read has come back (one still in flight would be shared, not repeated).
    await vi.waitFor(() => {
      expect(app.answers()).toBe(1);
    });
    expect(app.reads()).toBe(1);

    socket(0).accept();
    await vi.waitFor(() => {
      expect(app.state()).toBe('online');
    });
    // The first connect re-reads too: the first read may have finished before it.
    await vi.waitFor(() => {
      expect(app.reads()).toBe(2);
    });

    socket(0).drop();
    expect(app.state()).toBe('offline');

    // The client tries again by itself; the retry waits at most a second the first time.
    await vi.waitFor(
      () => {
        expect(HandSocket.opened).toHaveLength(2);
      },
      { timeout: 2_000 },
    );
    expect(app.state()).toBe('offline');
    socket(1).accept();
    await vi.waitFor(() => {
      expect(app.state()).toBe('online');
    });
    await vi.waitFor(() => {
      expect(app.reads()).toBe(3);
    });
  });

  it('resumes the order events from the last cursor after a reconnect, and re-reads nothing', async () => {
    const app = startApp({ feed: true });
    const pushed: string[] = [];
    app.feed?.onOrder((order) => pushed.push(order.status));
    await vi.waitFor(() => {
      expect(HandSocket.opened).toHaveLength(1);
    });
    await vi.waitFor(() => {
      expect(app.answers()).toBe(1);
    });
    socket(0).accept();
    await vi.waitFor(() => {
      expect(app.state()).toBe('online');
    });
    // Nothing to resume from on the first connect: it re-reads, as before.
    await vi.waitFor(() => {
      expect(app.reads()).toBe(2);
    });
    const subscribe = () => {
      const message = socket(HandSocket.opened.length - 1).sent.find((m) => m.type === 'subscribe');
      if (message === undefined) throw new Error('no subscribe sent yet');
      return message;
    };
    await vi.waitFor(() => subscribe());
    expect(subscribe().payload?.variables).toEqual({ after: null });
    const order: Order = orderFixture([], {
      id: ORDER_ID,
      status: 'CANCELLED',
      total: 0,
      currency: 'EUR',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:01.000Z',
      cancellationReason: 'test',
      items: [],
    });
    socket(0).receive({
      id: subscribe().id,
      type: 'next',
      payload: { data: { orderEvents: { cursor: 'ev1_cursor-of-the-last-event', order } } },
    });
    expect(pushed).toEqual(['CANCELLED']);

    socket(0).drop();
    await vi.waitFor(
      () => {
        expect(HandSocket.opened).toHaveLength(2);
      },
      { timeout: 2_000 },
    );
    socket(1).accept();
    await vi.waitFor(() => {
      expect(app.state()).toBe('online');
    });
    // The same subscription again, from where it was: the server replays what was missed.
    await vi.waitFor(() => subscribe());
    expect(subscribe().payload?.variables).toEqual({ after: 'ev1_cursor-of-the-last-event' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(app.reads()).toBe(2);
  });
});
