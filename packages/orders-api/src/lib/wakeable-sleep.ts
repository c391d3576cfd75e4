/**
 * A loop's sleep that a wake-up cuts short. A wake-up while the loop is busy is remembered, so
 * the next sleep returns at once: work that arrived during a pass is never slept through.
 */
export class WakeableSleep {
  private pending = false;
  private wakeUp: (() => void) | null = null;

  /** Ends the current sleep, or the next one if none is running. */
  wake(): void {
    this.pending = true;
    this.wakeUp?.();
  }

  /** Whether a wake-up came since the last `reset`. */
  get woken(): boolean {
    return this.pending;
  }

  /** Forgets wake-ups so far (a loop calls it as it starts looking for work). */
  reset(): void {
    this.pending = false;
  }

  /** Sleeps `ms`, or less when woken; at once when woken since the last reset. */
  sleep(ms: number): Promise<void> {
    if (this.pending || ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wakeUp = null;
    });
  }
}

/** Sleeps `ms`, woken or not (nothing when `ms` is not positive). */
export function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}
