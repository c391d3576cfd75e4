import { addTypenameToDocument } from '@apollo/client/utilities';
import { print } from 'graphql';
import type { Client } from 'graphql-ws';
import type { OrderEventsSubscription } from '../graphql/generated/graphql.js';
import { ORDER_EVENTS } from '../graphql/order.documents.js';
import type { Order } from '../graphql/order.types.js';

/** Told of each order snapshot the server pushes. */
export type OrderListener = (order: Order) => void;

/**
 * The subscription as Apollo Client would send it: with `__typename` in every selection, so the
 * orders it pushes can be written into Apollo's cache (which identifies objects by type and id).
 */
const SUBSCRIPTION = print(addTypenameToDocument(ORDER_EVENTS));

/** How long the feed waits before subscribing again after the server ended its subscription. */
const RESTART_MS = 1_000;

/**
 * The tab's one subscription to order events, which every page listens to. It keeps the cursor
 * of the last event it got in the subscription's own variables: graphql-ws sends the same
 * payload again on each reconnect, so after an outage the server replays from there
 * (`orderEvents(after:)`), every event missed, once, in order, and nothing has to be re-read.
 * Until a first event has come it has no cursor, and a reconnect is live from then on: the
 * connection actor re-reads what is shown in that case (see `resumable`).
 */
export class OrderEventsFeed {
  private readonly listeners = new Set<OrderListener>();
  private readonly lostListeners = new Set<() => void>();
  /** Sent with every (re)subscription; `after` moves with each event. */
  private variables: { after: string | null } = { after: null };
  private unsubscribe: (() => void) | null = null;
  private restart: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly client: Client) {}

  /** Whether the next (re)connect resumes from a cursor rather than live from now. */
  get resumable(): boolean {
    return this.variables.after !== null;
  }

  /** Subscribes (once); events reach the listeners from then on. */
  start(): void {
    if (this.unsubscribe !== null) return;
    this.unsubscribe = this.client.subscribe<OrderEventsSubscription>(
      { query: SUBSCRIPTION, variables: this.variables },
      {
        next: ({ data }) => {
          const event = data?.orderEvents;
          if (event == null) return;
          this.variables.after = event.cursor;
          for (const listener of this.listeners) listener(event.order);
        },
        // The server refused or ended it (the socket's own drops are retried by graphql-ws with
        // the same payload): start over without a cursor, and have what is shown re-read.
        error: () => {
          this.lose();
        },
        complete: () => {
          this.lose();
        },
      },
    );
  }

  /** Listens to every pushed order; returns the way to stop listening. */
  onOrder(listener: OrderListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Told when the feed lost its place (the server ended its subscription): re-read then. */
  onLost(listener: () => void): () => void {
    this.lostListeners.add(listener);
    return () => {
      this.lostListeners.delete(listener);
    };
  }

  /** Ends the subscription. */
  dispose(): void {
    if (this.restart !== null) clearTimeout(this.restart);
    this.restart = null;
    const unsubscribe = this.unsubscribe;
    this.unsubscribe = null;
    unsubscribe?.();
  }

  private lose(): void {
    if (this.unsubscribe === null) return;
    this.unsubscribe = null;
    this.variables = { after: null };
    for (const listener of this.lostListeners) listener();
    this.restart = setTimeout(() => {
      this.restart = null;
      this.start();
    }, RESTART_MS);
  }
}
