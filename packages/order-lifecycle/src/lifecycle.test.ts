import { describe, expect, it } from 'vitest';
import {
  ACTOR_KINDS,
  CALL_FOLLOW_UPS,
  EVENT_FOLLOW_UPS,
  FOLLOW_UP_NAMES,
  FOLLOW_UP_WORK,
  INITIAL_STATUS,
  LATE_CONFIRMATION,
  NOTE_VISIBILITIES,
  ORDER_EVENTS,
  ORDER_START,
  ORDER_STATUSES,
  ORDER_TRANSITIONS,
  PAYMENT_ANSWER_EVENTS,
  PAYMENT_ATTEMPT_FOLLOW_UPS,
  SCHEDULED_ACTION_KINDS,
  allowedEvents,
  canCancel,
  canTransition,
  cancelOutcome,
  customerMaySee,
  followUpOf,
  isActorKind,
  isFinal,
  isOrderStatus,
  isValidPath,
  lateAnswerFollowUp,
  nextStatus,
  requesterKind,
  type FollowUpWork,
  type TransitionRule,
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

describe('the work each transition leaves', () => {
  it('starts every order asking for its payment', () => {
    expect(ORDER_START).toEqual({ status: INITIAL_STATUS, followUp: 'PAY', actor: 'REQUESTER' });
    expect(FOLLOW_UP_WORK[ORDER_START.followUp]).toMatchObject({ kind: 'call', call: 'charge' });
    expect(PAYMENT_ATTEMPT_FOLLOW_UPS).toEqual(['PAY']);
  });

  it('has the worker call the provider for payments and releases, and apply deliveries', () => {
    expect(CALL_FOLLOW_UPS).toEqual(['PAY', 'RELEASE_PAYMENT']);
    expect(EVENT_FOLLOW_UPS).toEqual([{ followUp: 'DELIVER', event: 'DELIVERY_DUE' }]);
  });

  it('leaves event work only where its event may follow', () => {
    // A follow-up that is an event must be applicable in the state its transition leads to,
    // or the worker would find it due and never able to run.
    for (const event of ORDER_EVENTS) {
      const rule: TransitionRule = ORDER_TRANSITIONS[event];
      if (rule.followUp === null) continue;
      const work: FollowUpWork = FOLLOW_UP_WORK[rule.followUp];
      if (work.kind === 'event') expect(nextStatus(rule.to, work.event), event).not.toBeNull();
    }
  });

  it('maps payment answers and late confirmations to the lifecycle', () => {
    expect(nextStatus('CREATED', PAYMENT_ANSWER_EVENTS.confirmed)).toBe('CONFIRMED');
    expect(nextStatus('CREATED', PAYMENT_ANSWER_EVENTS.declined)).toBe('CANCELLED');
    expect(followUpOf(PAYMENT_ANSWER_EVENTS.failed, 'CREATED', true)).toBe('RELEASE_PAYMENT');
    expect(LATE_CONFIRMATION).toEqual({ owedIn: ['CANCELLED'], followUp: 'RELEASE_PAYMENT' });
    // Only events that may leave the state: the rule is checked before the follow-up.
    expect(followUpOf('DELIVERY_DUE', 'CREATED', true)).toBeNull();
  });
});

describe('who makes each transition', () => {
  it('records payment answers as the provider, deliveries as the system, cancels and creation as the requester', () => {
    expect(ORDER_TRANSITIONS.PAYMENT_CONFIRMED.actor).toBe('PAYMENT_PROVIDER');
    expect(ORDER_TRANSITIONS.PAYMENT_DECLINED.actor).toBe('PAYMENT_PROVIDER');
    expect(ORDER_TRANSITIONS.PAYMENT_FAILED.actor).toBe('PAYMENT_PROVIDER');
    expect(ORDER_TRANSITIONS.DELIVERY_DUE.actor).toBe('SYSTEM');
    expect(ORDER_TRANSITIONS.CANCEL_REQUESTED.actor).toBe('REQUESTER');
    expect(ORDER_START.actor).toBe('REQUESTER');
  });

  it('names a requester an admin or a customer', () => {
    expect(requesterKind(true)).toBe('ADMIN');
    expect(requesterKind(false)).toBe('CUSTOMER');
    expect(ACTOR_KINDS.every(isActorKind)).toBe(true);
    expect(isActorKind('REQUESTER')).toBe(false);
  });
});

describe('scheduled actions and notes', () => {
  it('names every follow-up as people see it, each name once', () => {
    expect(FOLLOW_UP_NAMES).toEqual({
      PAY: 'PAYMENT',
      DELIVER: 'DELIVERY',
      RELEASE_PAYMENT: 'REFUND',
    });
    expect(SCHEDULED_ACTION_KINDS).toEqual(['PAYMENT', 'DELIVERY', 'REFUND']);
  });

  it('lets customers see and add PUBLIC notes only', () => {
    expect(NOTE_VISIBILITIES).toEqual(['PUBLIC', 'INTERNAL']);
    expect(customerMaySee('PUBLIC')).toBe(true);
    expect(customerMaySee('INTERNAL')).toBe(false);
  });
});
