// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { nextActionText, secondsLeft } from './next-action.js';

const now = Date.parse('2026-01-01T12:00:00.000Z');
const at = (ms: number) => new Date(now + ms).toISOString();

describe('nextActionText', () => {
  it('counts down to a first delivery', () => {
    const action = { kind: 'DELIVERY' as const, dueAt: at(8000), attempts: 0, lastError: null };
    expect(nextActionText(action, now)).toBe('Delivery in 8 s');
  });

  it('numbers a payment retry and says why the last one failed', () => {
    const action = {
      kind: 'PAYMENT' as const,
      dueAt: at(3500),
      attempts: 2,
      lastError: 'payments unavailable',
    };
    expect(nextActionText(action, now)).toBe('Payment retry 3 in 4 s: payments unavailable');
  });

  it('says due now once the time has passed, never a negative count', () => {
    const action = { kind: 'REFUND' as const, dueAt: at(-2000), attempts: 0, lastError: null };
    expect(nextActionText(action, now)).toBe('Refund due now');
    expect(secondsLeft(action, now)).toBe(0);
  });

  it('uses minutes for long waits', () => {
    const action = { kind: 'DELIVERY' as const, dueAt: at(125_000), attempts: 0, lastError: null };
    expect(nextActionText(action, now)).toBe('Delivery in 2 min 5 s');
  });
});
