// What the open-loop generator child takes and answers; no side effects, so the parent may
// import it (the generator module itself starts serving its parent when imported).
import type { GeneratorCpu } from './generator-process.js';

export interface OpenLoopJob {
  url: string;
  /** Request i sends bodies[i % bodies.length]. */
  bodies: readonly string[];
  /** Requests per second from this process. */
  rate: number;
  /** Date.now() at which request 0 is due, so several generators start together. */
  startAt: number;
  warmupMs: number;
  /** The measured window after the warm-up; the load ends with it, or earlier on `stop`. */
  durationMs: number;
  /** A request not answered this long after it was due counts as failed (`timeout`). */
  timeoutMs: number;
}

/** Sent with `GeneratorProcess.tell`: no request is due after this; answers are still awaited. */
export const STOP_LOAD = 'stop';

export interface OpenLoopReport {
  /** Requests sent (all that were due, unless the load was stopped early). */
  scheduled: number;
  ok: number;
  /** Refusals as the overload contract says (503, Retry-After, SERVICE_OVERLOADED). */
  refused: number;
  /** Every other outcome: errors. */
  failed: number;
  /** Failed requests by reason (`timeout`, `HTTP 500`, `BAD_USER_INPUT`...). */
  failures: Record<string, number>;
  /** Requests due after the warm-up, and how many of those were taken or refused. */
  measuredScheduled: number;
  measuredOk: number;
  measuredRefused: number;
  /** Milliseconds from due to answered, for the measured requests that were taken. */
  latenciesMs: Float64Array;
  /** The same for the measured refusals. */
  refusalLatenciesMs: Float64Array;
  /** The `id` each successful answer carried (the order created or changed). */
  ids: string[];
  /** How late the generator itself sent its worst request; large means it was the bottleneck. */
  maxSendLagMs: number;
  /** Most requests unanswered at once. */
  maxInFlight: number;
  /** From the first request due to the last answer. */
  cpu: GeneratorCpu;
}

/** Connections per generator process at most; beyond, requests wait in it (their wait counted). */
export const MAX_CONNECTIONS = 1024;
