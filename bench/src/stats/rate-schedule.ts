/** One step of a rising-rate run: the rate offered and whether the system held it. */
export interface RateStep {
  rate: number;
  held: boolean;
}

/** A round step to put a rate near `rate` on: 5 for rates of 10 to 99, 50 for 100 to 999... */
export function roundStep(rate: number): number {
  return Math.max(1, 5 * 10 ** (Math.floor(Math.log10(Math.max(1, rate))) - 1));
}

/**
 * The next rate to offer: the planned rates in order until one is not held, then a single step
 * halfway between the highest held rate (or 0) and the first failed one, rounded to
 * `granularity` (by default a round step for the failed rate), so the figure is known to within
 * half a planned gap without trying every rate. Null when the run is over.
 */
export function nextRate(
  planned: readonly number[],
  tried: readonly RateStep[],
  granularity?: number,
): number | null {
  const failedAt = tried.findIndex((step) => !step.held);
  if (failedAt === -1) return planned.find((rate) => !tried.some((t) => t.rate === rate)) ?? null;
  // One refinement only: anything tried after the first failure was that refinement.
  if (failedAt < tried.length - 1) return null;
  const failed = tried[failedAt]?.rate ?? 0;
  const held = tried.filter((t) => t.held && t.rate < failed).map((t) => t.rate);
  const low = Math.max(0, ...held);
  const step = granularity ?? roundStep(failed);
  const middle = Math.round((low + failed) / 2 / step) * step;
  return middle > low && middle < failed ? middle : null;
}

/** The highest rate that was held, or null when none was. */
export function highestHeld(tried: readonly RateStep[]): number | null {
  const held = tried.filter((t) => t.held).map((t) => t.rate);
  return held.length === 0 ? null : Math.max(...held);
}
