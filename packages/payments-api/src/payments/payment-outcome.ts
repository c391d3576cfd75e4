import type { LatencyRange } from '../config/settings.js';

/** What a new charge can come out as. */
export type ChargeOutcome = 'confirmed' | 'declined';

/** A source of uniform numbers in [0, 1), like Math.random; injectable so tests can pin it. */
export type RandomSource = () => number;

/** Tokens that force an outcome, so callers can test both paths deterministically. */
export const FORCED_OUTCOMES: Readonly<Record<string, ChargeOutcome>> = {
  tok_approve: 'confirmed',
  tok_decline: 'declined',
};

/** Decides a new charge: forced by the token when it is a test token, otherwise approved with `approvalRate`. */
export function drawOutcome(
  paymentToken: string,
  approvalRate: number,
  random: RandomSource = Math.random,
): ChargeOutcome {
  const forced = Object.hasOwn(FORCED_OUTCOMES, paymentToken)
    ? FORCED_OUTCOMES[paymentToken]
    : undefined;
  if (forced !== undefined) return forced;
  return random() < approvalRate ? 'confirmed' : 'declined';
}

/** Picks the mocked processing delay: a whole number of milliseconds, uniform in [min, max]. */
export function drawLatencyMs(range: LatencyRange, random: RandomSource = Math.random): number {
  return range.min + Math.floor(random() * (range.max - range.min + 1));
}
