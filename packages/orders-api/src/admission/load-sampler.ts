import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { LoadSignals } from './admission-controller.js';

/** The event loop's delay since the last reading. */
export interface EventLoopDelayReader {
  /** Milliseconds, or null when nothing was measured since the last reading. */
  read(): number | null;
  stop(): void;
}

export interface LoadSamplerOptions {
  /** Seconds the oldest due background job has waited, null when none is due. */
  oldestDueJobAge: () => Promise<number | null>;
  eventLoopDelay: EventLoopDelayReader;
  onSignals: (signals: Partial<LoadSignals>) => void;
  /** Told when the backlog cannot be read, once until a read succeeds again. */
  onError: (error: unknown) => void;
}

/**
 * Reads the signals admission control decides on, once per `sample()`: the event-loop delay
 * (cheap, in-process) and the age of the oldest due job (one indexed query). Sampling on a timer
 * rather than per request keeps the query rate fixed whatever the load, and a read still running
 * is not started again.
 */
export class LoadSampler {
  private reading: Promise<void> | null = null;
  private failing = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LoadSamplerOptions) {}

  /** Takes one reading of each signal; resolves when the backlog read is done. */
  sample(): Promise<void> {
    const { eventLoopDelay, onSignals } = this.options;
    onSignals({ eventLoopDelayMs: eventLoopDelay.read() });
    this.reading ??= this.readBacklog().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  /** Samples every `intervalMs` until stopped; the timer keeps no process alive. */
  start(intervalMs: number): void {
    this.timer ??= setInterval(() => void this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Stops sampling and waits for a read in progress (so the database can close after it). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.options.eventLoopDelay.stop();
    await this.reading;
  }

  private async readBacklog(): Promise<void> {
    const { oldestDueJobAge, onSignals, onError } = this.options;
    try {
      const seconds = await oldestDueJobAge();
      this.failing = false;
      onSignals({ oldestDueJobAgeMs: seconds === null ? 0 : seconds * 1000 });
    } catch (error) {
      // Unknown refuses nothing: with the database unreachable, createOrder fails by itself.
      onSignals({ oldestDueJobAgeMs: null });
      if (!this.failing) onError(error);
      this.failing = true;
    }
  }
}

/**
 * The event loop's mean delay between readings, from `perf_hooks.monitorEventLoopDelay` (a
 * timer every `resolutionMs`, measured by libuv). The mean, not the maximum, so that one
 * garbage collection does not read as overload.
 */
export function eventLoopDelayReader(resolutionMs = 10): EventLoopDelayReader {
  const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
  histogram.enable();
  return {
    read() {
      const mean = histogram.count > 0 ? histogram.mean / 1e6 : null;
      histogram.reset();
      // The timer itself is late by its own resolution at best: only the delay beyond counts.
      return mean === null ? null : Math.max(0, mean - resolutionMs);
    },
    stop() {
      histogram.disable();
    },
  };
}
