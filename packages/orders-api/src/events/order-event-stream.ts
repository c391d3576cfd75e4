import type { Logger } from 'pino';
import { orderAtVersion, type OrderView } from '../domain/order.model.js';
import type { LogPosition, TransitionLog } from '../persistence/transition-log.js';
import { WakeableSleep, delay } from '../lib/wakeable-sleep.js';
import { FanOut } from './fan-out.js';

export interface OrderEventStreamOptions {
  /** Log entries read (and orders loaded) at once. */
  batchSize: number;
  /** How often the log is read when nothing says it has grown. */
  idlePollMs: number;
}

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
  private readonly fanOut = new FanOut<OrderView>();
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
    private readonly findMany: (ids: readonly string[]) => Promise<OrderView[]>,
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
    return this.fanOut.subscribe(id);
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
    const orders = await this.findMany([...new Set(entries.map((e) => e.orderId))]);
    const byId = new Map(orders.map((o) => [o.id, o]));
    for (const entry of entries) {
      const order = byId.get(entry.orderId);
      const snapshot = order === undefined ? null : orderAtVersion(order, entry.version);
      if (snapshot === null) {
        this.logger.warn(
          { orderId: entry.orderId, version: entry.version },
          'order event for a missing transition',
        );
        continue;
      }
      this.fanOut.publish(entry.orderId, snapshot);
    }
    this.cursor = last.at;
    this.wakesServed = wakes;
    return entries.length;
  }
}
