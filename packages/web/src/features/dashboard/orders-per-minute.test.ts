// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { minuteBars, summarizeMinutes } from './orders-per-minute.js';

describe('summarizeMinutes', () => {
  it('tells the total, the peak and the current minute', () => {
    const minutes = [{ count: 0 }, { count: 3 }, { count: 1 }, { count: 2 }];
    expect(summarizeMinutes(minutes)).toBe(
      '6 orders in the last 4 minutes; at most 3 in one minute; 2 in the current minute.',
    );
  });

  it('says "order" for one and copes with no minutes', () => {
    expect(summarizeMinutes([{ count: 1 }])).toBe(
      '1 order in the last 1 minutes; at most 1 in one minute; 1 in the current minute.',
    );
    expect(summarizeMinutes([])).toBe(
      '0 orders in the last 0 minutes; at most 0 in one minute; 0 in the current minute.',
    );
  });
});

describe('minuteBars', () => {
  it('keeps the minute and count and labels it with the clock time', () => {
    const bars = minuteBars([{ minute: '2026-01-01T10:05:00.000Z', count: 4 }], 'en-GB');
    expect(bars).toHaveLength(1);
    expect(bars[0]).toMatchObject({ minute: '2026-01-01T10:05:00.000Z', count: 4 });
    expect(bars[0]?.label).toMatch(/^\d\d:05$/);
  });
});
