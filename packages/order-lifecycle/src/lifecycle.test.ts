import { describe, expect, it } from 'vitest';
import {
  ORDER_STATUSES,
  allowedEvents,
  canCancel,
  canTransition,
  cancelOutcome,
  followUpOf,
  isFinal,
  isOrderStatus,
  isValidPath,
  lateAnswerFollowUp,
  nextStatus,
} from './lifecycle.js';

describe('order lifecycle', () => {
  it('moves a paid order to CONFIRMED and then DELIVERED', () => {
    expect(nextStatus('CREATED', 'PAYMENT_CONFIRMED')).toBe('CONFIRMED');
    expect(nextStatus('CONFIRMED', 'DELIVERY_DUE')).toBe('DELIVERED');
  });

  it('cancels on a declined or failed payment, only from CREATED', () => {
    expect(nextStatus('CREATED', 'PAYMENT_DECLINED')).toBe('CANCELLED');
    expect(nextStatus('CREATED', 'PAYMENT_FAILED')).toBe('CANCELLED');
    expect(nextStatus('CONFIRMED', 'PAYMENT_DECLINED')).toBeNull();
    expect(nextStatus('CANCELLED', 'PAYMENT_CONFIRMED')).toBeNull();
  });

  it('never delivers an order that was not confirmed', () => {
    expect(nextStatus('CREATED', 'DELIVERY_DUE')).toBeNull();
    expect(nextStatus('CANCELLED', 'DELIVERY_DUE')).toBeNull();
  });

  it('lets the customer cancel CREATED and CONFIRMED orders only', () => {
    expect(ORDER_STATUSES.filter(canCancel)).toEqual(['CREATED', 'CONFIRMED']);
    expect(cancelOutcome('CREATED')).toBe('CANCEL');
    expect(cancelOutcome('CONFIRMED')).toBe('CANCEL');
    expect(cancelOutcome('DELIVERED')).toBe('NOT_CANCELLABLE');
    expect(cancelOutcome('CANCELLED')).toBe('ALREADY_CANCELLED');
  });

  it('has no way out of a final state', () => {
    for (const status of ORDER_STATUSES) {
      expect(isFinal(status)).toBe(allowedEvents(status).length === 0);
    }
    expect(isFinal('DELIVERED')).toBe(true);
    expect(isFinal('CANCELLED')).toBe(true);
  });

  it('refunds what a cancel or a late confirmation leaves captured', () => {
    expect(followUpOf('PAYMENT_CONFIRMED', 'CREATED', true)).toBe('DELIVER');
    expect(followUpOf('CANCEL_REQUESTED', 'CONFIRMED', true)).toBe('RELEASE_PAYMENT');
    expect(followUpOf('CANCEL_REQUESTED', 'CREATED', true)).toBe('RELEASE_PAYMENT');
    expect(followUpOf('CANCEL_REQUESTED', 'CREATED', false)).toBeNull();
    expect(followUpOf('PAYMENT_DECLINED', 'CREATED', true)).toBeNull();
    expect(followUpOf('PAYMENT_FAILED', 'CREATED', true)).toBe('RELEASE_PAYMENT');
    expect(lateAnswerFollowUp('CANCELLED', true)).toBe('RELEASE_PAYMENT');
    expect(lateAnswerFollowUp('CANCELLED', false)).toBeNull();
    expect(lateAnswerFollowUp('CONFIRMED', true)).toBeNull();
  });

  it('accepts exactly the paths the lifecycle allows', () => {
    expect(isValidPath(['CREATED'])).toBe(true);
    expect(isValidPath(['CREATED', 'CONFIRMED', 'DELIVERED'])).toBe(true);
    expect(isValidPath(['CREATED', 'CONFIRMED', 'CANCELLED'])).toBe(true);
    expect(isValidPath(['CREATED', 'CANCELLED'])).toBe(true);
    expect(isValidPath(['CREATED', 'DELIVERED'])).toBe(false);
    expect(isValidPath(['CREATED', 'CANCELLED', 'CONFIRMED'])).toBe(false);
    expect(isValidPath(['CONFIRMED'])).toBe(false);
    expect(isValidPath([])).toBe(false);
    expect(canTransition('DELIVERED', 'CANCELLED')).toBe(false);
  });

  it('recognises status strings from untrusted input', () => {
    expect(isOrderStatus('CONFIRMED')).toBe(true);
    expect(isOrderStatus('confirmed')).toBe(false);
    expect(isOrderStatus(3)).toBe(false);
  });
});
