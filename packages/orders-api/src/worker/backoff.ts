/**
 * Exponential backoff with full jitter: a random delay up to base × 2^(attempt-1), capped, so
 * many orders failing together do not retry in lock step.
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(ceiling * random()));
}
