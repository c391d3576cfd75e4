import { describe, expect, it } from 'vitest';
import { auditOrders, mergeCounts, type ListedOrder } from './order-audit.js';

const T = Date.parse('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(T + ms).toISOString();

function delivered(id: string, createdMs: number, doneMs: number): ListedOrder {
  return {
    id,
    createdAt: at(createdMs),
    history: [
      { from: null, to: 'CREATED', at: at(createdMs) },
      { from: 'CREATED', to: 'CONFIRMED', at: at(createdMs + 1) },
      { from: 'CONFIRMED', to: 'DELIVERED', at: at(doneMs) },
    ],
  };
}

const window = { start: T + 1_000, end: T + 2_000 };

describe('auditOrders', () => {
  it('counts finished orders, and times those created in the window', () => {
    const audit = auditOrders(
      [
        delivered('warm', 500, 1_200),
        delivered('a', 1_100, 1_150),
        delivered('late', 1_900, 2_100),
      ],
      new Set(['warm', 'a', 'late']),
      window,
    );
    expect(audit).toMatchObject({
      orders: 3,
      delivered: 3,
      unfinished: 0,
      badHistory: 0,
      missing: 0,
      unacknowledged: 0,
      // warm and a finished inside the window; late after it.
      completedInWindow: 2,
    });
    expect(audit.lagsMs).toEqual([50, 200]);
  });

  it('finds lost, unfinished, doubled and unacknowledged orders', () => {
    const doubled = delivered('doubled', 1_100, 1_300);
    doubled.history.push({ from: 'CONFIRMED', to: 'DELIVERED', at: at(1_301) });
    const stuck: ListedOrder = {
      id: 'stuck',
      createdAt: at(1_100),
      history: [{ from: null, to: 'CREATED', at: at(1_100) }],
    };
    const audit = auditOrders(
      [doubled, stuck, delivered('stranger', 1_200, 1_250)],
      new Set(['doubled', 'stuck', 'lost']),
      window,
    );
    expect(audit).toMatchObject({
      orders: 3,
      unfinished: 1,
      badHistory: 1,
      missing: 1,
      unacknowledged: 1,
    });
  });

  it('accepts a cancelled order as finished', () => {
    const cancelled: ListedOrder = {
      id: 'c',
      createdAt: at(1_100),
      history: [
        { from: null, to: 'CREATED', at: at(1_100) },
        { from: 'CREATED', to: 'CANCELLED', at: at(1_120) },
      ],
    };
    expect(auditOrders([cancelled], new Set(['c']), window)).toMatchObject({
      cancelled: 1,
      badHistory: 0,
      completedInWindow: 1,
    });
  });
});

describe('mergeCounts', () => {
  it('adds counts by key', () => {
    expect(mergeCounts([{ timeout: 2 }, { timeout: 1, 'HTTP 500': 3 }, {}])).toEqual({
      timeout: 3,
      'HTTP 500': 3,
    });
  });
});
