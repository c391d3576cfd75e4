import { createPubSub } from '@graphql-yoga/subscription';
import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import { orderAtVersion, type OrderView } from '../domain/order.model.js';
import { parseFeedPayload } from '../persistence/event-feed.js';

type Topics = {
  ORDER_UPDATED: [OrderView];
  ORDER_UPDATED_BY_ID: [orderId: string, order: OrderView];
};

/**
 * Turns committed transitions (PostgreSQL NOTIFY, so every process sees every transition, and
 * only after commit) into subscription events. Orders are loaded in batches, and events are
 * published in the order the database sent them, each showing the order as of its transition.
 */
export class OrderEventStream {
  /** The in-process fan-out; also handed to type-graphql, which insists on having one. */
  readonly pubSub = createPubSub<Topics>();
  private readonly loader: DataLoader<string, OrderView | null>;
  private publishing: Promise<void> = Promise.resolve();

  constructor(
    findMany: (ids: readonly string[]) => Promise<OrderView[]>,
    private readonly log: Logger,
  ) {
    this.loader = new DataLoader(
      async (ids) => {
        const found = new Map((await findMany(ids)).map((o) => [o.id, o]));
        return ids.map((id) => found.get(id) ?? null);
      },
      // Orders change; each batch reads them afresh.
      { cache: false, maxBatchSize: 500 },
    );
  }

  /** Handles one NOTIFY payload, `<orderId>:<version>`. */
  onNotification(payload: string): void {
    const entry = parseFeedPayload(payload);
    if (entry === null) {
      this.log.warn({ payload }, 'ignored malformed order event');
      return;
    }
    const { orderId: id, version } = entry;
    const loading = this.loader.load(id);
    // The chain below handles a failed read, but only once it gets there: while earlier events
    // are still publishing (say, the database is restarting and every read fails), an unobserved
    // rejection here would end the process.
    loading.catch(() => undefined);
    this.publishing = this.publishing
      .then(() => loading)
      .then((order) => {
        const snapshot = order === null ? null : orderAtVersion(order, version);
        if (snapshot === null) {
          this.log.warn({ orderId: id, version }, 'order event for a missing transition');
          return;
        }
        this.pubSub.publish('ORDER_UPDATED', snapshot);
        this.pubSub.publish('ORDER_UPDATED_BY_ID', id, snapshot);
      })
      .catch((error: unknown) => {
        this.log.error({ err: error, orderId: id, version }, 'could not publish order event');
      });
  }

  /** Events for one order, or for all orders when `id` is null. */
  subscribe(id: string | null): AsyncIterable<OrderView> {
    return id === null
      ? this.pubSub.subscribe('ORDER_UPDATED')
      : this.pubSub.subscribe('ORDER_UPDATED_BY_ID', id);
  }

  /** Resolves once every event received so far has been published. */
  async drained(): Promise<void> {
    await this.publishing;
  }
}
