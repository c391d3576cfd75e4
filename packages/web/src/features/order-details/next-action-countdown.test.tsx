import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { NextActionCountdown } from './next-action-countdown.js';

describe('NextActionCountdown', () => {
  it('shows the pending step in a timer and does not ask for a refetch before it is due', () => {
    let due = 0;
    const dueAt = new Date(Date.now() + 1_800_000).toISOString();
    render(
      <NextActionCountdown
        action={{ kind: 'DELIVERY', dueAt, attempts: 0, lastError: null }}
        onDue={() => due++}
      />,
    );
    expect(screen.getByRole('timer').textContent).toMatch(/^Delivery in \d+ min \d+ s$/);
    expect(due).toBe(0);
  });

  it('says a step that has passed is due now and asks the page to re-read the order once', () => {
    let due = 0;
    const dueAt = new Date(Date.now() - 1000).toISOString();
    const { rerender } = render(
      <NextActionCountdown
        action={{ kind: 'PAYMENT', dueAt, attempts: 1, lastError: 'payments unavailable' }}
        onDue={() => due++}
      />,
    );
    expect(screen.getByRole('timer').textContent).toBe(
      'Payment retry 2 due now: payments unavailable',
    );
    rerender(
      <NextActionCountdown
        action={{ kind: 'PAYMENT', dueAt, attempts: 1, lastError: 'payments unavailable' }}
        onDue={() => due++}
      />,
    );
    expect(due).toBeGreaterThanOrEqual(1);
  });
});
