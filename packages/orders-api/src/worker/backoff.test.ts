import { describe, expect, it } from 'vitest';
import { backoffMs } from './backoff.js';

const BASE = 500;
const CAP = 30_000;
/** The largest value Math.random may return. */
const ALMOST_ONE = 1 - Number.EPSILON;
const fixed = (value: number) => () => value;

describe('backoffMs', () => {
  it('doubles the ceiling with each attempt until the cap', () => {
    const ceilings = [1, 2, 3, 4, 5, 6, 7, 8].map((attempt) =>
      backoffMs(attempt, BASE, CAP, fixed(ALMOST_ONE)),
    );
    expect(ceilings).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it('keeps half the ceiling fixed and draws the other half (equal jitter)', () => {
    expect(backoffMs(3, BASE, CAP, fixed(0))).toBe(1_000);
    expect(backoffMs(3, BASE, CAP, fixed(0.5))).toBe(1_500);
    expect(backoffMs(3, BASE, CAP, fixed(0.75))).toBe(1_750);
  });

  it('stays between half the capped ceiling and the ceiling for any draw', () => {
    for (let attempt = 1; attempt <= 12; attempt += 1) {
      const ceiling = Math.min(CAP, BASE * 2 ** (attempt - 1));
      for (const draw of [0, 1e-9, 0.1, 0.3, 0.5, 0.7, 0.9, ALMOST_ONE]) {
        const delay = backoffMs(attempt, BASE, CAP, fixed(draw));
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(Math.max(1, ceiling / 2));
        expect(delay).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('never retries at once, even with the smallest draw', () => {
    expect(backoffMs(1, BASE, CAP, fixed(0))).toBe(BASE / 2);
    expect(backoffMs(1, 1, CAP, fixed(0))).toBe(1);
  });

  it('stays at the cap for very late attempts', () => {
    expect(backoffMs(60, BASE, CAP, fixed(ALMOST_ONE))).toBe(CAP);
    // 2 ** 2000 is Infinity; the cap must still hold.
    expect(backoffMs(2_000, BASE, CAP, fixed(0.5))).toBe(CAP * 0.75);
  });

  it('treats attempt 0 (or less) as the first attempt', () => {
    expect(backoffMs(0, BASE, CAP, fixed(ALMOST_ONE))).toBe(BASE);
    expect(backoffMs(-3, BASE, CAP, fixed(ALMOST_ONE))).toBe(BASE);
  });

  it('uses Math.random when no draw is injected', () => {
    const delays = Array.from({ length: 50 }, () => backoffMs(10, BASE, CAP));
    expect(delays.every((d) => d >= 1 && d <= CAP)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(1);
  });
});
