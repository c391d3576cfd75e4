import type { Logger } from 'pino';
import {
  withOrders,
  type EventSubscriptionRequest,
  type FindOrders,
} from '../domain/order-events.service.js';
import type { OrderEvent, OrderEventFilter, OrderLogEntry } from '../domain/order-event.js';
import type { OrderView } from '../domain/order.model.js';
import type { LogPosition, TransitionLog } from '../persistence/transition-log.js';
import { WakeableSleep, delay } from '../lib/wakeable-sleep.js';
import { FanOut } from './fan-out.js';
import { ResumableEvents } from './resumable-events.js';

export interface OrderEventStreamOptions {
  /** Log entries read (and orders loaded) at once. */
  batchSize: number;
  /** How often the log is read when nothing says it has grown. */
  idlePollMs: number;
  /**
   * Live events held for one `orderEvents` subscriber that is catching up or reading slowly;
   * past it the subscriber reads the log instead (see ResumableEvents).
   */
  maxQueuedPerSubscriber?: number;
}

/** Default of `maxQueuedPerSubscriber`: a few seconds of a busy log, a few MB at most. */
const MAX_QUEUED_PER_SUBSCRIBER = 2_000;

/**
 * Shortest gap between two reads of the log, and how often it is read after a wake-up until it
 * shows what was committed.
 */
const WOKEN_POLL_MS = 5;
/** How long a wake-up keeps the fast reading going (the oldest running transaction may be slow). */
const WOKEN_FOR_MS = 2_000;
const RETRY_MS = 250;

/**
 * Turns the transition log into subscription events. It reads the log in batches from where it
 * left off, loads the changed orders with one read per batch, and publishes each transition in
 * log order, each showing the order as of that transition. Every process tails the log itself,
 * so subscribers on any process see every transition, once, in order.
 */
export class OrderEventStream {
  private readonly fanOut = new FanOut<OrderEvent>();
  private cursor: LogPosition | null = null;
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private wokenAt = -Infinity;
  /** Wake-ups so far, and how many of them a read that found entries came after. */
  private wakes = 0;
  private wakesServed = 0;
  private readonly alarm = new WakeableSleep();

  constructor(
    private readonly log: TransitionLog,
    private readonly findMany: FindOrders,
    private readonly logger: Logger,
    private readonly options: OrderEventStreamOptions,
  ) {}

  /** Starts publishing what is committed from now on. */
  async start(): Promise<void> {
    if (this.running) return;
    this.cursor = await this.log.head();
    this.running = true;
    this.loopDone = this.loop();
  }

  /** Something was committed: read the log now rather than at the next poll. */
  wake(): void {
    this.wakes++;
    this.wokenAt = performance.now();
    this.alarm.wake();
  }

  /** Stops reading; resolves once the batch being published is out. */
  async stop(): Promise<void> {
    this.running = false;
    this.alarm.wake();
    await this.loopDone;
  }

  /**
   * Events for one order, or for all orders when `id` is null, from the moment of this call
   * (what a batch being published now holds may come too).
   */
  subscribe(id: string | null): AsyncIterableIterator<OrderView> {
    return mapIterator(this.fanOut.subscribe(id), (event) => event.order);
  }

  /**
   * The events a subscription asked for: with `after`, every event after it from the log, then
   * live ones, each once and in order; without, live from now. Registered on the live events
   * in this call.
   */
  events(request: EventSubscriptionRequest): AsyncIterableIterator<OrderEvent> {
    const maxQueued = this.options.maxQueuedPerSubscriber ?? MAX_QUEUED_PER_SUBSCRIBER;
    return new ResumableEvents(
      {
        live: (filter, limit) =>
          this.fanOut.subscribe(filter.orderId, {
            accept: acceptFor(filter),
            maxQueued: limit,
          }),
        read: async (after, limit, filter) => {
          const entries = await this.log.read(after, limit, filter);
          return {
            events: await this.withOrders(entries),
            entries: entries.length,
            end: entries.at(-1)?.at ?? null,
          };
        },
      },
      request.filter,
      request.after,
      { batchSize: this.options.batchSize, maxQueued },
    );
  }

  private withOrders(entries: readonly OrderLogEntry[]): Promise<OrderEvent[]> {
    return withOrders(entries, this.findMany, (entry) => {
      this.logger.warn(
        { orderId: entry.orderId, version: entry.version },
        'order event for a missing transition',
      );
    });
  }

  private async loop(): Promise<void> {
    while (this.running) {
      let published: number;
      try {
        published = await this.publishNext();
      } catch (error) {
        // The cursor did not move: the same entries are read again once the database answers.
        this.logger.error({ err: error }, 'could not read order events; retrying');
        await this.alarm.sleep(RETRY_MS);
        continue;
      }
      if (published === this.options.batchSize) continue;
      // Commits arriving meanwhile are read together in the next batch, not one read each.
      await delay(WOKEN_POLL_MS);
      // A commit we were told of may not be readable yet (an older transaction still runs).
      const owed = this.wakes > this.wakesServed && performance.now() - this.wokenAt < WOKEN_FOR_MS;
      if (!owed) await this.alarm.sleep(this.options.idlePollMs);
    }
  }

  /** Publishes the next batch of the log; returns how many entries it held. */
  private async publishNext(): Promise<number> {
    const cursor = this.cursor;
    if (cursor === null) return 0;
    const wakes = this.wakes;
    this.alarm.reset();
    const entries = await this.log.read(cursor, this.options.batchSize);
    const last = entries.at(-1);
    if (last === undefined) return 0;
    if (!this.fanOut.listened) {
      // Nobody here to tell: the orders are not read. Whoever subscribes later gets what
      // commits after that, as they would have anyway.
      this.cursor = last.at;
      this.wakesServed = wakes;
      return entries.length;
    }
    for (const event of await this.withOrders(entries)) this.fanOut.publish(event.orderId, event);
    this.cursor = last.at;
    this.wakesServed = wakes;
    return entries.length;
  }
}

/** The live events a filter lets through (the order id is the fan-out's key already). */
function acceptFor(filter: OrderEventFilter): ((event: OrderEvent) => boolean) | undefined {
  const { customerId } = filter;
  return customerId === null ? undefined : (event) => event.order.customerId === customerId;
}

/** `source` with each value passed through `map`; ending it ends the source. */
function mapIterator<T, U>(
  source: AsyncIterableIterator<T>,
  map: (value: T) => U,
): AsyncIterableIterator<U> {
  return {
    async next() {
      const result = await source.next();
      return result.done === true
        ? { done: true, value: undefined }
        : { done: false, value: map(result.value) };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error instanceof Error ? error : new Error(String(error));
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
