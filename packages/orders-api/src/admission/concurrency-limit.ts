/**
 * How many operations may run at once, found from how long they take: a gradient limit in the
 * manner of Netflix's concurrency-limits (Gradient2), judged on standing queues as CoDel does.
 *
 * Finished operations are grouped in windows. A window is judged by its fastest operation: when
 * even that one took more than `tolerance` times the baseline (the fastest window of the last
 * `baselineMs`), a queue is standing in front of the work rather than passing through it, and the
 * limit shrinks in proportion (at most by half per window). A burst that is then served is not
 * a standing queue: its first operations finish at the baseline. Otherwise the limit grows by
 * its square root per window while the operations use at least half of it, and back up to
 * `initial` in any case, so a process that was overloaded a while ago is not held below its
 * usual limit once it is fine.
 *
 * The baseline is a minimum over a sliding span rather than an average, so a long overload does
 * not raise it (the flaw of an averaged baseline): only a machine that stays slower at the
 * lowest limits for the whole span does.
 */
export interface ConcurrencyLimitOptions {
  /** The limit to start with, and to return to once nothing says the process is overloaded. */
  initial: number;
  /** Never below: some work always goes on, whatever the signals say. */
  min: number;
  max: number;
  /** How many times the baseline the fastest operation of a window may take. */
  tolerance: number;
  /**
   * A window whose fastest operation took less than this is never read as queued, whatever the
   * baseline: batched work (one commit for many callers) runs a few milliseconds slower under
   * load than alone without anything queueing, and shrinking the limit for that refuses work a
   * healthy process would finish in time.
   */
  latencyFloorMs?: number;
  /** A window is judged once it has this many operations and `windowMinMs` have passed... */
  windowSamples?: number;
  windowMinMs?: number;
  /** ...or, with fewer operations, once this long has passed. */
  windowMaxMs?: number;
  /** How long the fastest window stays the baseline. */
  baselineMs?: number;
}

/** One finished operation. */
export interface LimitSample {
  latencyMs: number;
  /** Operations in flight when it started, itself included. */
  inFlight: number;
  /** Another signal (the event loop's delay) says the process is overloaded. */
  congested: boolean;
}

/** Below a millisecond, differences in latency are noise. */
const LATENCY_FLOOR_MS = 1;
/** Shrink factor of a window that is congested by another signal while latency looks fine. */
const CONGESTED_FACTOR = 0.8;
/** The most one window may take off the limit. */
const MAX_SHRINK = 0.5;

interface Window {
  startedAt: number;
  count: number;
  fastestMs: number;
  peakInFlight: number;
  congested: boolean;
}

/** A concurrency limit that adapts to the latency of what it admits (see the module comment). */
export class ConcurrencyLimit {
  private value: number;
  private window: Window | null = null;
  private readonly baseline: SlidingMinimum;
  private readonly windowSamples: number;
  private readonly windowMinMs: number;
  private readonly windowMaxMs: number;
  private readonly latencyFloorMs: number;

  constructor(private readonly options: ConcurrencyLimitOptions) {
    const { min, initial, max, tolerance } = options;
    if (!(min >= 1 && min <= initial && initial <= max)) {
      throw new RangeError(`need 1 <= min <= initial <= max, got ${min}, ${initial}, ${max}`);
    }
    if (!(tolerance > 1)) throw new RangeError(`tolerance must be above 1, got ${tolerance}`);
    this.value = initial;
    this.windowSamples = options.windowSamples ?? 10;
    this.windowMinMs = options.windowMinMs ?? 100;
    this.windowMaxMs = options.windowMaxMs ?? 1_000;
    this.latencyFloorMs = options.latencyFloorMs ?? 0;
    this.baseline = new SlidingMinimum(options.baselineMs ?? 10_000);
  }

  /** Operations that may be in flight now. */
  get current(): number {
    return Math.floor(this.value);
  }

  /** The latency the limit judges against, or null before the first window was judged. */
  baselineMs(now: number): number | null {
    return this.baseline.value(now);
  }

  /** Takes one finished operation into account; `now` is in milliseconds. */
  record(sample: LimitSample, now: number): void {
    const latency = Math.max(LATENCY_FLOOR_MS, sample.latencyMs);
    const window = (this.window ??= {
      startedAt: now,
      count: 0,
      fastestMs: Number.POSITIVE_INFINITY,
      peakInFlight: 0,
      congested: false,
    });
    window.count += 1;
    window.fastestMs = Math.min(window.fastestMs, latency);
    window.peakInFlight = Math.max(window.peakInFlight, sample.inFlight);
    window.congested ||= sample.congested;
    const age = now - window.startedAt;
    if (
      (window.count >= this.windowSamples && age >= this.windowMinMs) ||
      age >= this.windowMaxMs
    ) {
      this.window = null;
      this.judge(window, now);
    }
  }

  private judge(window: Window, now: number): void {
    const { min, max, initial, tolerance } = this.options;
    this.baseline.add(window.fastestMs, now);
    const baseline = this.baseline.value(now) ?? window.fastestMs;
    const allowed = Math.max(baseline * tolerance, this.latencyFloorMs);
    if (window.fastestMs > allowed || window.congested) {
      const byLatency = window.fastestMs > allowed ? allowed / window.fastestMs : 1;
      const factor = Math.max(
        MAX_SHRINK,
        window.congested ? Math.min(byLatency, CONGESTED_FACTOR) : byLatency,
      );
      this.value = Math.max(min, this.value * factor);
    } else if (window.peakInFlight * 2 >= this.value) {
      this.value = Math.min(max, this.value + Math.sqrt(this.value));
    } else if (this.value < initial) {
      this.value = Math.min(initial, this.value + Math.sqrt(this.value));
    }
  }
}

/** The smallest value added within the last `spanMs`, kept as a monotonic queue. */
export class SlidingMinimum {
  private readonly entries: { at: number; value: number }[] = [];

  constructor(private readonly spanMs: number) {}

  add(value: number, now: number): void {
    while ((this.entries.at(-1)?.value ?? Number.NEGATIVE_INFINITY) >= value) this.entries.pop();
    this.entries.push({ at: now, value });
  }

  value(now: number): number | null {
    while ((this.entries[0]?.at ?? Number.POSITIVE_INFINITY) <= now - this.spanMs) {
      this.entries.shift();
    }
    return this.entries[0]?.value ?? null;
  }
}
