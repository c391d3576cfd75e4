/**
 * Exponential backoff with equal jitter: half of base × 2^(attempt-1) (capped) is fixed, the
 * other half random. The fixed half gives every retry a floor, so a short outage of the
 * provider cannot burn all attempts in a second; the random half keeps many orders that failed
 * together from retrying in lock step.
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.max(1, Math.round(ceiling / 2 + (ceiling / 2) * random()));
}
