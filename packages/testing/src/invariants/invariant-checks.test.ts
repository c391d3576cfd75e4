import { describe, expect, it } from 'vitest';
import {
  lastVersions,
  moneyViolations,
  orderFacts,
  pathViolations,
  recordingViolations,
  type OrderFacts,
  type Recording,
  type SeenTransition,
} from './invariant-checks.js';
import type { PaymentRecord } from './payment-records.js';

/** An order whose history went through `statuses`, each entry chained to the one before. */
function order(id: string, statuses: string[], reason: string | null = null): OrderFacts {
  const history = statuses.map((to, i) => ({
    from: i === 0 ? null : (statuses[i - 1] ?? null),
    to,
  }));
  return orderFacts(id, statuses.at(-1) ?? 'CREATED', 1000, reason, history);
}

const payment = (status: string, amount: number | null = 1000): PaymentRecord => ({
  id: `pay_${status}`,
  orderId: 'o',
  status,
  amount,
});

function recording(events: SeenTransition[], mustSee: string[] = []): Recording {
  return {
    name: 'sub',
    events: () => events,
    mustSee: (id) => mustSee.includes(id),
    problems: () => [],
  };
}

describe('order paths', () => {
  it('accepts every lifecycle path', () => {
    expect(pathViolations(order('a', ['CREATED']))).toEqual([]);
    expect(pathViolations(order('b', ['CREATED', 'CONFIRMED', 'DELIVERED']))).toEqual([]);
    expect(pathViolations(order('c', ['CREATED', 'CANCELLED'], 'PAYMENT_DECLINED'))).toEqual([]);
  });

  it('names a confirmation after a cancellation, and a path the lifecycle does not allow', () => {
    const found = pathViolations(order('o', ['CREATED', 'CANCELLED', 'CONFIRMED'], 'x'));
    expect(found).toContain('o: confirmed after it was cancelled: CREATED > CANCELLED > CONFIRMED');
    expect(found).toContain('o: history is not a lifecycle path: CREATED > CANCELLED > CONFIRMED');
  });

  it('names a status the history does not end in, a broken chain and a reason out of place', () => {
    const broken = orderFacts('o', 'DELIVERED', 1, 'why', [
      { from: null, to: 'CREATED' },
      { from: 'CANCELLED', to: 'CONFIRMED' },
    ]);
    expect(pathViolations(broken)).toEqual([
      'o: status DELIVERED but history ends in CREATED > CONFIRMED',
      "o: a history entry's from is not the one before",
      'o: DELIVERED with reason why',
    ]);
  });

  it('treats a status it does not know as a violation, never as a valid state', () => {
    const odd = orderFacts('o', 'LOST', 1, null, [{ from: null, to: 'LOST' }]);
    expect(odd.path).toEqual([]);
    expect(pathViolations(odd).length).toBeGreaterThan(0);
  });
});

describe('money', () => {
  it('accepts one confirmed payment for the total, and one refund after a cancellation', () => {
    expect(moneyViolations(order('o', ['CREATED', 'CONFIRMED']), [payment('confirmed')])).toEqual(
      [],
    );
    const cancelled = order('o', ['CREATED', 'CONFIRMED', 'CANCELLED'], 'changed my mind');
    expect(moneyViolations(cancelled, [payment('refunded')])).toEqual([]);
  });

  it('names two payments, money kept after a cancellation, and a wrong amount', () => {
    const confirmed = order('o', ['CREATED', 'CONFIRMED']);
    expect(moneyViolations(confirmed, [payment('confirmed'), payment('declined')])).toContain(
      'o: 2 payments (confirmed, declined)',
    );
    expect(moneyViolations(confirmed, [payment('confirmed', 999)])).toEqual([
      'o: CONFIRMED (total 1000) with payments [confirmed 999]',
    ]);
    const cancelled = order('o', ['CREATED', 'CONFIRMED', 'CANCELLED'], 'r');
    expect(moneyViolations(cancelled, [payment('confirmed')])).toEqual([
      'o: confirmed then cancelled, payments [confirmed], not one refund',
      'o: cancelled (r) with money captured',
    ]);
  });
});

describe('subscriber recordings', () => {
  const delivered = order('o', ['CREATED', 'CONFIRMED', 'DELIVERED']);
  const orders = new Map([['o', delivered]]);
  const seen = (...steps: [string, number][]): SeenTransition[] =>
    steps.map(([status, version]) => ({ id: 'o', status, version }));

  it('accepts every transition once and in order, or the tail of an order joined late', () => {
    const whole = seen(['CREATED', 1], ['CONFIRMED', 2], ['DELIVERED', 3]);
    expect(recordingViolations(recording(whole, ['o']), orders)).toEqual([]);
    expect(recordingViolations(recording(seen(['DELIVERED', 3])), orders)).toEqual([]);
    expect(recordingViolations(recording([]), orders)).toEqual([]);
  });

  it('names a missed, a repeated or a reordered transition', () => {
    for (const events of [
      seen(['CREATED', 1], ['DELIVERED', 3]),
      seen(['CREATED', 1], ['CONFIRMED', 2], ['CONFIRMED', 2], ['DELIVERED', 3]),
      seen(['CREATED', 1], ['DELIVERED', 3], ['CONFIRMED', 2]),
      seen(['CONFIRMED', 2], ['DELIVERED', 3]),
    ]) {
      expect(recordingViolations(recording(events, ['o']), orders)).toHaveLength(1);
    }
    expect(recordingViolations(recording([], ['o']), orders)).toEqual([
      'sub saw o as nothing (history CREATED > CONFIRMED > DELIVERED)',
    ]);
  });

  it('names the problems of its transport', () => {
    const broken: Recording = { ...recording([]), problems: () => ['connection closed (1006)'] };
    expect(recordingViolations(broken, orders)).toEqual(['sub: connection closed (1006)']);
  });

  it('knows the last version seen of each order', () => {
    const events = [
      ...seen(['CREATED', 1], ['CONFIRMED', 2]),
      { id: 'p', status: 'CREATED', version: 1 },
    ];
    expect(lastVersions(events)).toEqual(
      new Map([
        ['o', 2],
        ['p', 1],
      ]),
    );
  });
});
