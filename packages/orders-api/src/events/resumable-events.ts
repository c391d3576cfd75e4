import { compareEventPositions, type EventPosition } from '../domain/event-cursor.js';
import { LOG_START, type OrderEvent, type OrderEventFilter } from '../domain/order-event.js';
import type { FanOutSubscription } from './fan-out.js';

/** What a resumable subscription reads from: the live events and the log behind them. */
export interface EventSources {
  /** Registers at once on the live events that pass `filter`, queueing at most `maxQueued`. */
  live(filter: OrderEventFilter, maxQueued: number): FanOutSubscription<OrderEvent>;
  /**
   * Up to `limit` entries after `after` from the log as events, how many entries the read held,
   * and the position of the last one (null when none).
   */
  read(
    after: EventPosition,
    limit: number,
    filter: OrderEventFilter,
  ): Promise<{ events: OrderEvent[]; entries: number; end: EventPosition | null }>;
}

export interface ResumableEventsOptions {
  /** Entries read from the log at once while catching up. */
  batchSize: number;
  /** Live events held for a subscriber while it catches up or reads slowly. */
  maxQueued: number;
}

/**
 * The events after a position, then live ones, each once and in log order, with bounded memory.
 *
 * It registers on the live events first (queueing them), then reads the log from `after` until a
 * read comes back short, then takes the queued events, skipping those at or before the last one
 * read. No gap: a short read returned everything below the oldest transaction running when it
 * ran, and the live stream publishes nothing that was not below that horizon when it read it, so
 * whatever the stream publishes after the registration either was in that read or comes after
 * it. No duplicate: positions are totally ordered, so skipping by position is exact.
 *
 * When the queue overflows (catching up takes long, or the reader is slow), it is dropped and
 * the log is read again from the last event handed out; then the subscription registers anew.
 * Without `after` it is live from now, and falls back on the log the same way if it overflows.
 */
export class ResumableEvents implements AsyncIterableIterator<OrderEvent> {
  private position: EventPosition | null;
  private live: FanOutSubscription<OrderEvent> | null;
  private catchingUp: boolean;
  private readonly replayed: OrderEvent[] = [];
  private closed = false;

  constructor(
    private readonly sources: EventSources,
    private readonly filter: OrderEventFilter,
    after: EventPosition | null,
    private readonly options: ResumableEventsOptions,
  ) {
    this.position = after;
    this.catchingUp = after !== null;
    // Registered before anything is read, in this call: nothing published from now on is lost.
    this.live = sources.live(filter, options.maxQueued);
  }

  async next(): Promise<IteratorResult<OrderEvent>> {
    for (;;) {
      if (this.closed) return { done: true, value: undefined };
      const replayed = this.replayed.shift();
      if (replayed !== undefined) return this.handOut(replayed);
      if (this.catchingUp) {
        await this.catchUp();
        continue;
      }
      const live = this.live;
      if (live === null) {
        this.fallBehind();
        continue;
      }
      const next = await live.next();
      if (next.done === true) {
        if (!live.overflowed) return this.finish();
        this.fallBehind(live.firstDropped);
        continue;
      }
      const event = next.value;
      // Already read from the log while catching up (or handed out before an overflow).
      if (this.position !== null && compareEventPositions(event.at, this.position) <= 0) continue;
      return this.handOut(event);
    }
  }

  /** One read of the log; a short one ends catching up, unless the live queue overflowed meanwhile. */
  private async catchUp(): Promise<void> {
    const live = (this.live ??= this.sources.live(this.filter, this.options.maxQueued));
    const from = this.position ?? LOG_START;
    const { events, entries, end } = await this.sources.read(
      from,
      this.options.batchSize,
      this.filter,
    );
    if (this.closed) return;
    this.replayed.push(...events);
    // Handed out in order before anything else is read, so the position can move now.
    if (end !== null) this.position = end;
    if (entries >= this.options.batchSize) return;
    if (live.overflowed) {
      // Read again once registered anew: what was dropped may lie beyond this read.
      this.live = null;
      return;
    }
    this.catchingUp = false;
  }

  /** The live queue was dropped: catch up from the log, from the last event handed out. */
  private fallBehind(firstDropped?: OrderEvent): void {
    this.live = null;
    this.catchingUp = true;
    if (this.position === null && firstDropped !== undefined) {
      this.position = justBefore(firstDropped.at);
    }
  }

  private handOut(event: OrderEvent): IteratorResult<OrderEvent> {
    if (this.position === null || compareEventPositions(event.at, this.position) > 0) {
      this.position = event.at;
    }
    return { done: false, value: event };
  }

  private finish(): IteratorResult<OrderEvent> {
    this.closed = true;
    return { done: true, value: undefined };
  }

  return(): Promise<IteratorResult<OrderEvent>> {
    this.closed = true;
    this.replayed.length = 0;
    // Ends a pending read of the live queue too.
    void this.live?.return?.();
    this.live = null;
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(error?: unknown): Promise<IteratorResult<OrderEvent>> {
    void this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<OrderEvent> {
    return this;
  }
}

/** The position right before `at` in the log: reading after it starts with `at`. */
function justBefore(at: EventPosition): EventPosition {
  const position = BigInt(at.position);
  return position > 0n
    ? { xid: at.xid, position: (position - 1n).toString() }
    : { xid: (BigInt(at.xid) - 1n).toString(), position: (2n ** 63n - 1n).toString() };
}
