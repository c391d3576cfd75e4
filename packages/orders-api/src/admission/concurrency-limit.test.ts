import { describe, expect, it } from 'vitest';
import {
  ConcurrencyLimit,
  SlidingMinimum,
  type ConcurrencyLimitOptions,
} from './concurrency-limit.js';

const OPTIONS: ConcurrencyLimitOptions = {
  min: 4,
  initial: 16,
  max: 64,
  tolerance: 2,
  windowSamples: 10,
  windowMinMs: 100,
  windowMaxMs: 1_000,
  baselineMs: 10_000,
};

/**
 * Feeds one whole window ending at `end`: `latencies` in order (the last closes it, 100 ms after
 * the first), each with `inFlight` operations in flight when it started.
 */
function window(
  limit: ConcurrencyLimit,
  end: number,
  latencies: readonly number[],
  inFlight: number,
  congested = false,
): void {
  latencies.forEach((latencyMs, i) => {
    const at = i === latencies.length - 1 ? end : end - 100;
    limit.record({ latencyMs, inFlight, congested }, at);
  });
}

const ten = (ms: number) => Array.from({ length: 10 }, () => ms);

describe('ConcurrencyLimit', () => {
  it('starts at the initial limit and refuses limits out of order', () => {
    expect(new ConcurrencyLimit(OPTIONS).current).toBe(16);
    expect(() => new ConcurrencyLimit({ ...OPTIONS, initial: 3 })).toThrow(RangeError);
    expect(() => new ConcurrencyLimit({ ...OPTIONS, initial: 65 })).toThrow(RangeError);
    expect(() => new ConcurrencyLimit({ ...OPTIONS, min: 0, initial: 0 })).toThrow(RangeError);
    expect(() => new ConcurrencyLimit({ ...OPTIONS, tolerance: 1 })).toThrow(RangeError);
  });

  it('judges a window only once it has enough operations and time, or after the longest wait', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(10), 1);
    expect(limit.baselineMs(1_000)).toBe(10);

    // Nine slow operations over 500 ms: not judged yet, whatever their latency.
    for (let i = 0; i < 9; i++)
      limit.record({ latencyMs: 100, inFlight: 16, congested: false }, 1_100 + i * 50);
    expect(limit.current).toBe(16);
    // Ten, but within 100 ms of the window's start: still not judged.
    const quick = new ConcurrencyLimit(OPTIONS);
    window(quick, 1_000, ten(10), 1);
    for (let i = 0; i < 10; i++)
      quick.record({ latencyMs: 100, inFlight: 16, congested: false }, 1_050);
    expect(quick.current).toBe(16);
    quick.record({ latencyMs: 100, inFlight: 16, congested: false }, 1_150);
    expect(quick.current).toBe(8);

    // A lone operation a second after its window began closes it.
    limit.record({ latencyMs: 100, inFlight: 16, congested: false }, 2_100);
    expect(limit.current).toBe(8);
  });

  it('shrinks in proportion when even the fastest operation of a window queued, at most by half', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(10), 16); // baseline 10 ms; demand 16 >= 16/2: grows by 4
    expect(limit.current).toBe(20);
    // Fastest 25 ms against 2 x 10 allowed: 20 x 20/25 = 16.
    window(limit, 2_000, [40, 30, 25, 60, 25, 30, 35, 40, 45, 50], 20);
    expect(limit.current).toBe(16);
    // Fastest 100 ms: 20/100 would be a fifth; one window takes at most half.
    window(limit, 3_000, ten(100), 16);
    expect(limit.current).toBe(8);
    // The baseline is still the fastest window, not the slow ones.
    expect(limit.baselineMs(3_000)).toBe(10);
  });

  it('does not read latencies under the floor as a queue, however far above the baseline', () => {
    const limit = new ConcurrencyLimit({ ...OPTIONS, latencyFloorMs: 20 });
    window(limit, 1_000, ten(2), 16); // baseline 2 ms; grows by 4
    expect(limit.current).toBe(20);
    // Fastest 15 ms: over 2 x 2, under the floor: grows as a used, healthy window does.
    window(limit, 2_000, ten(15), 20);
    expect(limit.current).toBe(24);
    // Fastest 30 ms: above the floor too, judged against it: 24 x 20/30 = 16.
    window(limit, 3_000, ten(30), 24);
    expect(limit.current).toBe(16);
  });

  it('does not shrink for a burst that is served: its first operations take the baseline', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(10), 2);
    const before = limit.current;
    // Sixteen arrive at once and queue behind each other: 10, 20, ... 100 ms.
    window(limit, 2_000, [10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 16);
    expect(limit.current).toBeGreaterThanOrEqual(before);
  });

  it('grows by its square root while used at least half, never above max', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(10), 8); // 8 >= 16/2
    expect(limit.current).toBe(20);
    window(limit, 2_000, ten(10), 9); // 9 < 20/2: not used enough to grow
    expect(limit.current).toBe(20);
    let end = 3_000;
    for (let i = 0; i < 30; i++, end += 1_000) window(limit, end, ten(10), 64);
    expect(limit.current).toBe(64);
  });

  it('comes back to the initial limit after an overload even without demand, and no further', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(10), 1);
    let end = 2_000;
    for (let i = 0; i < 5; i++, end += 1_000) window(limit, end, ten(200), 16);
    expect(limit.current).toBe(4);
    for (let i = 0; i < 20; i++, end += 1_000) window(limit, end, ten(10), 1);
    expect(limit.current).toBe(16);
  });

  it('never goes below min', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(10), 1);
    let end = 2_000;
    // Eight seconds of it: within the span the fast window is remembered.
    for (let i = 0; i < 8; i++, end += 1_000) window(limit, end, ten(1_000), 64);
    expect(limit.current).toBe(4);
  });

  it('shrinks when another signal says the process is congested, even with latency fine', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(10), 1);
    window(limit, 2_000, ten(10), 1, true);
    expect(limit.current).toBe(12); // 16 x 0.8 = 12.8
    window(limit, 3_000, ten(10), 1); // fine again: back towards 16
    expect(limit.current).toBe(16);
  });

  it('takes a machine that stays slower at the lowest limit as its new baseline', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(10), 16);
    let end = 2_000;
    // 50 ms everywhere from now on: shrinks to min while 10 ms is remembered...
    for (let i = 0; i < 5; i++, end += 1_000) window(limit, end, ten(50), 16);
    expect(limit.current).toBe(4);
    expect(limit.baselineMs(end)).toBe(10);
    // ...and once it is forgotten, 50 ms is the baseline and the limit grows again.
    for (let i = 0; i < 10; i++, end += 1_000) window(limit, end, ten(50), 16);
    expect(limit.baselineMs(end)).toBe(50);
    expect(limit.current).toBeGreaterThan(4);
  });

  it('counts latencies below a millisecond as one', () => {
    const limit = new ConcurrencyLimit(OPTIONS);
    window(limit, 1_000, ten(0.01), 1);
    window(limit, 2_000, ten(1.5), 1); // 1.5 <= 2 x 1: no queue
    expect(limit.current).toBe(16);
  });
});

describe('SlidingMinimum', () => {
  it('is the smallest value of the span, forgetting older ones', () => {
    const min = new SlidingMinimum(1_000);
    expect(min.value(0)).toBeNull();
    min.add(5, 0);
    min.add(7, 400);
    min.add(6, 800);
    expect(min.value(900)).toBe(5);
    expect(min.value(1_000)).toBe(6);
    expect(min.value(1_800)).toBeNull();
    min.add(9, 1_900);
    expect(min.value(1_900)).toBe(9);
    min.add(3, 2_000);
    expect(min.value(2_000)).toBe(3);
  });
});
