import type { ConcurrencyLimit } from './concurrency-limit.js';

/** Why new work was refused: the background backlog is too old, or the concurrency limit is reached. */
export type RefusalReason = 'backlog' | 'concurrency';

/** What admission control answers for one piece of new work. */
export type AdmissionDecision =
  | {
      admitted: true;
      /** The work is over (answered, or failed); safe to call more than once. */
      release: () => void;
    }
  | { admitted: false; reason: RefusalReason; retryAfterSeconds: number };

/** What the transports ask before they start new work. */
export interface AdmissionGate {
  tryAdmit(): AdmissionDecision;
}

/** The latest readings of the process and the background work; null while unknown. */
export interface LoadSignals {
  /** How late the event loop ran its timers lately, in milliseconds. */
  eventLoopDelayMs: number | null;
  /** How long the oldest due background job has waited, in milliseconds (0: none is due). */
  oldestDueJobAgeMs: number | null;
}

export interface AdmissionControllerOptions {
  limit: ConcurrencyLimit;
  /** New work is refused while the oldest due job has waited longer than this. */
  maxJobAgeMs: number;
  /** Above this event-loop delay, the concurrency limit shrinks as if latency had risen. */
  maxEventLoopDelayMs: number;
  /** What a refusal tells the caller to wait. */
  retryAfterSeconds: number;
  /** Monotonic milliseconds (performance.now in production). */
  now: () => number;
  /** Told of every refusal (for the metrics). */
  onRefusal?: (reason: RefusalReason) => void;
}

/** The controller's state, for the gauges. */
export interface AdmissionState {
  limit: number;
  inFlight: number;
}

/**
 * Admission control for new work (createOrder). Decides at once and never queues: while the
 * background backlog is older than `maxJobAgeMs`, every piece is refused (more accepted work
 * would only wait behind it); otherwise up to the adaptive concurrency limit run at once and
 * the rest are refused. Unknown signals (a failed read) refuse nothing. Work that was admitted
 * is never cut off: the decision is made before it starts.
 */
export class AdmissionController implements AdmissionGate {
  private inFlight = 0;
  private signals: LoadSignals = { eventLoopDelayMs: null, oldestDueJobAgeMs: null };

  constructor(private readonly options: AdmissionControllerOptions) {}

  /** Takes in new readings; those not given keep their value. */
  update(signals: Partial<LoadSignals>): void {
    this.signals = { ...this.signals, ...signals };
  }

  tryAdmit(): AdmissionDecision {
    const { limit, maxJobAgeMs, now } = this.options;
    const age = this.signals.oldestDueJobAgeMs;
    if (age !== null && age > maxJobAgeMs) return this.refuse('backlog');
    if (this.inFlight >= limit.current) return this.refuse('concurrency');
    this.inFlight += 1;
    const inFlight = this.inFlight;
    const startedAt = now();
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= 1;
        const delay = this.signals.eventLoopDelayMs;
        const finishedAt = now();
        limit.record(
          {
            latencyMs: finishedAt - startedAt,
            inFlight,
            congested: delay !== null && delay > this.options.maxEventLoopDelayMs,
          },
          finishedAt,
        );
      },
    };
  }

  get state(): AdmissionState {
    return { limit: this.options.limit.current, inFlight: this.inFlight };
  }

  private refuse(reason: RefusalReason): AdmissionDecision {
    this.options.onRefusal?.(reason);
    return { admitted: false, reason, retryAfterSeconds: this.options.retryAfterSeconds };
  }
}
