import { describe, expect, it } from 'vitest';
import { drawLatencyMs, drawOutcome } from './payment-outcome.js';

const always = (value: number) => () => value;

describe('drawOutcome', () => {
  it('confirms tok_approve and declines tok_decline whatever the rate or draw', () => {
    for (const rate of [0, 0.5, 1]) {
      expect(drawOutcome('tok_approve', rate, always(0.999))).toBe('confirmed');
      expect(drawOutcome('tok_decline', rate, always(0))).toBe('declined');
    }
  });

  it('never confirms at rate 0 and always confirms at rate 1', () => {
    for (const draw of [0, 0.3, 0.999_999]) {
      expect(drawOutcome('tok_other', 0, always(draw))).toBe('declined');
      expect(drawOutcome('tok_other', 1, always(draw))).toBe('confirmed');
    }
  });

  it('confirms when the draw is below the rate', () => {
    expect(drawOutcome('tok_other', 0.8, always(0.79))).toBe('confirmed');
    expect(drawOutcome('tok_other', 0.8, always(0.8))).toBe('declined');
  });

  it('does not treat inherited object keys as forced tokens', () => {
    expect(drawOutcome('constructor', 0, always(0))).toBe('declined');
    expect(drawOutcome('toString', 1, always(0))).toBe('confirmed');
  });

  it('roughly follows the rate with the real random source', () => {
    let confirmed = 0;
    for (let i = 0; i < 10_000; i += 1) {
      if (drawOutcome('tok_other', 0.8) === 'confirmed') confirmed += 1;
    }
    expect(confirmed).toBeGreaterThan(7_500);
    expect(confirmed).toBeLessThan(8_500);
  });
});

describe('drawLatencyMs', () => {
  it('stays within the bounds, both included', () => {
    const range = { min: 200, max: 800 };
    expect(drawLatencyMs(range, always(0))).toBe(200);
    expect(drawLatencyMs(range, always(0.999_999))).toBe(800);
    expect(drawLatencyMs(range, always(0.5))).toBe(500);
  });

  it('returns the single value of a fixed range', () => {
    expect(drawLatencyMs({ min: 150, max: 150 }, always(0.7))).toBe(150);
    expect(drawLatencyMs({ min: 0, max: 0 }, always(0.7))).toBe(0);
  });
});
