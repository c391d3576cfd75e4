/** How a subscriber takes what is published. */
export interface SubscribeOptions<T> {
  /** Only values this accepts are queued (and count towards `maxQueued`). */
  accept?: (value: T) => boolean;
  /**
   * Most values queued and not yet read. One more ends the subscription (`overflowed`): a
   * subscriber that cannot keep up is dropped rather than allowed to exhaust memory.
   */
  maxQueued?: number;
}

/** A subscription's iterator, which also says whether it ended by overflowing. */
export interface FanOutSubscription<T> extends AsyncIterableIterator<T> {
  /** True once values were dropped because the queue was full; the iterator then ends. */
  readonly overflowed: boolean;
  /** The oldest value that was dropped (so the reader knows where it lost track). */
  readonly firstDropped: T | undefined;
}

/**
 * In-process fan-out of events to subscribers, by key or to all. A subscriber is registered the
 * moment `subscribe` is called (not on its first read), so nothing published after that is
 * missed while the subscription is still being set up, and the publisher can tell whether
 * anyone listens at all. Each subscriber has its own queue.
 */
export class FanOut<T> {
  private readonly all = new Set<Subscriber<T>>();
  private readonly byKey = new Map<string, Set<Subscriber<T>>>();

  /** Whether anyone listens. */
  get listened(): boolean {
    return this.all.size > 0 || this.byKey.size > 0;
  }

  /** Delivers `value` to the subscribers of `key` and to those of everything. */
  publish(key: string, value: T): void {
    for (const subscriber of this.all) subscriber.push(value);
    for (const subscriber of this.byKey.get(key) ?? []) subscriber.push(value);
  }

  /** Events of one key, or of every key when `key` is null, from now until the iterator ends. */
  subscribe(key: string | null, options: SubscribeOptions<T> = {}): FanOutSubscription<T> {
    const subscriber = new Subscriber<T>(options, () => {
      if (key === null) {
        this.all.delete(subscriber);
        return;
      }
      const set = this.byKey.get(key);
      set?.delete(subscriber);
      if (set?.size === 0) this.byKey.delete(key);
    });
    if (key === null) this.all.add(subscriber);
    else {
      const set = this.byKey.get(key) ?? new Set();
      set.add(subscriber);
      this.byKey.set(key, set);
    }
    return subscriber;
  }
}

class Subscriber<T> implements FanOutSubscription<T> {
  private readonly queue: T[] = [];
  private waiting: ((result: IteratorResult<T>) => void) | null = null;
  private done = false;
  overflowed = false;
  firstDropped: T | undefined = undefined;

  constructor(
    private readonly options: SubscribeOptions<T>,
    private readonly onClose: () => void,
  ) {}

  push(value: T): void {
    if (this.done) return;
    if (this.options.accept !== undefined && !this.options.accept(value)) return;
    if (this.waiting === null) {
      if (this.queue.length >= (this.options.maxQueued ?? Infinity)) {
        this.overflowed = true;
        this.firstDropped = this.queue[0] ?? value;
        // What was queued is dropped with the rest; the reader takes it up from where it lost track.
        void this.return();
        return;
      }
      this.queue.push(value);
      return;
    }
    const resolve = this.waiting;
    this.waiting = null;
    resolve({ done: false, value });
  }

  next(): Promise<IteratorResult<T>> {
    const value = this.queue.shift();
    if (value !== undefined) return Promise.resolve({ done: false, value });
    if (this.done) return Promise.resolve({ done: true, value: undefined });
    return new Promise((resolve) => {
      this.waiting = resolve;
    });
  }

  return(): Promise<IteratorResult<T>> {
    if (!this.done) {
      this.done = true;
      this.queue.length = 0;
      this.onClose();
      this.waiting?.({ done: true, value: undefined });
      this.waiting = null;
    }
    return Promise.resolve({ done: true, value: undefined });
  }

  throw(error?: unknown): Promise<IteratorResult<T>> {
    void this.return();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
