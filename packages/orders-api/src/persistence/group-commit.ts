/** What a batch gives back for one item: its own answer or its own error. */
export type ItemResult<O> = { ok: true; value: O } | { ok: false; error: unknown };

export interface GroupCommitOptions<I, O> {
  /** Writes a batch (in one statement) and answers each item, in order. */
  write(items: readonly I[]): Promise<ItemResult<O>[]>;
  /** Largest batch; more waiting items go into the next one. */
  maxBatch: number;
  /** Batches written at once; while that many are in flight, new items wait and group up. */
  maxInFlight: number;
}

/**
 * Group commit: items submitted while a batch is being written are written together in the next
 * one, so under load many callers share one statement and one commit, and a lone caller waits for
 * nothing but the next turn of the event loop. Each caller gets its own answer or error.
 */
export class GroupCommit<I, O> {
  private waiting: { item: I; resolve: (value: O) => void; reject: (error: unknown) => void }[] =
    [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly options: GroupCommitOptions<I, O>) {}

  /** Queues `item` for the next batch; resolves with its answer once that batch is written. */
  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Items waiting for a batch, and batches being written. */
  get pending(): { waiting: number; inFlight: number } {
    return { waiting: this.waiting.length, inFlight: this.inFlight };
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // Everything submitted in this turn of the event loop joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.waiting.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.waiting.splice(0, this.options.maxBatch);
      this.inFlight++;
      void this.write(batch).finally(() => {
        this.inFlight--;
        if (this.waiting.length > 0) this.schedule();
      });
    }
  }

  private async write(batch: typeof this.waiting): Promise<void> {
    let results: ItemResult<O>[];
    try {
      results = await this.options.write(batch.map((b) => b.item));
    } catch (error) {
      for (const b of batch) b.reject(error);
      return;
    }
    batch.forEach((b, i) => {
      const result = results[i];
      if (result === undefined) b.reject(new Error('batch write gave no answer for an item'));
      else if (result.ok) b.resolve(result.value);
      else b.reject(result.error);
    });
  }
}
