import { describe, expect, it } from 'vitest';
import { percentile, summarize } from './percentiles.js';

describe('percentile', () => {
  it('returns a measured value by nearest rank', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(sorted, 50)).toBe(5);
    expect(percentile(sorted, 95)).toBe(10);
    expect(percentile(sorted, 10)).toBe(1);
    expect(percentile(sorted, 100)).toBe(10);
  });

  it('sees the slowest request when there are fewer than a hundred', () => {
    expect(percentile([1, 1, 1, 50], 99)).toBe(50);
  });

  it('is null for an empty sample and refuses a percentile out of range', () => {
    expect(percentile([], 50)).toBeNull();
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
  });
});

describe('summarize', () => {
  it('sorts numerically, not as text', () => {
    const summary = summarize([100, 9, 20, 3]);
    expect(summary).toEqual({ count: 4, p50: 9, p95: 100, p99: 100, max: 100 });
  });

  it('summarizes an empty sample as nulls', () => {
    expect(summarize([])).toEqual({ count: 0, p50: null, p95: null, p99: null, max: null });
  });

  it('takes p99 of a thousand values from the tail', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    expect(summarize(values)).toMatchObject({ p50: 500, p95: 950, p99: 990, max: 1000 });
  });
});
