import { canCancel, type OrderStatus, validateCancellationReason } from '@oms/order-lifecycle';
import { assign, emit, fromPromise, setup } from 'xstate';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';
import { STATUS_LABELS } from '../../lib/status-labels.js';
import type { Order } from '../../lib/graphql/order.types.js';

export interface CancelOrderContext {
  orderId: string;
  /** The order's status as last seen; the lifecycle decides from it whether to offer a cancel. */
  status: OrderStatus;
  /** The order's version as last seen, sent as `expectedVersion`; null sends none. */
  version: number | null;
  reason: string;
  reasonError: string | null;
  problem: ApiProblem | null;
  cancelled: Order | null;
}

export type CancelOrderEvent =
  | { type: 'OPEN' }
  | { type: 'EDIT_REASON'; reason: string }
  | { type: 'CONFIRM' }
  | { type: 'DISMISS' }
  | { type: 'STATUS_CHANGED'; status: OrderStatus; version?: number | null };

/** Checks the reason as it will be sent: trimmed, and absent when blank. */
function reasonError(reason: string): string | null {
  const trimmed = reason.trim();
  const errors = validateCancellationReason(trimmed === '' ? null : trimmed);
  return errors[0] === undefined ? null : `Reason ${errors[0].message}`;
}

/**
 * Cancelling one order: offered only where the lifecycle allows it, confirmed by the user,
 * then sent. A refusal (say, delivered meanwhile) is shown as the server worded it.
 */
export const cancelOrderMachine = setup({
  types: {
    context: {} as CancelOrderContext,
    events: {} as CancelOrderEvent,
    input: {} as { orderId: string; status: OrderStatus; version?: number | null },
    emitted: {} as { type: 'cancelled'; order: Order } | { type: 'refused' },
  },
  actors: {
    /** The app provides it (Apollo's cancelOrder mutation); rejects with ApiProblem[]. */
    cancelOrder: fromPromise<
      Order,
      { orderId: string; reason: string | null; expectedVersion: number | null }
    >(() => Promise.reject(new Error('cancelOrder is provided by the app'))),
  },
  guards: {
    cancellable: ({ context }) => canCancel(context.status),
    noLongerCancellable: ({ event }) => event.type === 'STATUS_CHANGED' && !canCancel(event.status),
    reasonIsValid: ({ context }) => reasonError(context.reason) === null,
  },
  actions: {
    setStatus: assign({
      status: ({ context, event }) =>
        event.type === 'STATUS_CHANGED' ? event.status : context.status,
      version: ({ context, event }) =>
        event.type === 'STATUS_CHANGED' && event.version !== undefined
          ? event.version
          : context.version,
    }),
    /** Tells the page the order is cancelled, before the live event arrives. */
    orderCancelled: emit((_, order: Order) => ({ type: 'cancelled' as const, order })),
    /** Tells the page its view may be stale (the server knew better), so it re-reads. */
    cancelRefused: emit({ type: 'refused' as const }),
  },
}).createMachine({
  id: 'cancelOrder',
  context: ({ input }) => ({
    orderId: input.orderId,
    status: input.status,
    version: input.version ?? null,
    reason: '',
    reasonError: null,
    problem: null,
    cancelled: null,
  }),
  initial: 'idle',
  on: { STATUS_CHANGED: { actions: 'setStatus' } },
  states: {
    idle: {
      on: {
        OPEN: {
          guard: 'cancellable',
          target: 'confirming',
          actions: assign({ reason: '', reasonError: null, problem: null }),
        },
      },
    },
    confirming: {
      on: {
        EDIT_REASON: {
          actions: assign(({ event }) => ({
            reason: event.reason,
            reasonError: reasonError(event.reason),
          })),
        },
        CONFIRM: [
          { guard: 'reasonIsValid', target: 'cancelling' },
          { actions: assign(({ context }) => ({ reasonError: reasonError(context.reason) })) },
        ],
        DISMISS: 'idle',
        STATUS_CHANGED: [
          {
            // The order moved on while the dialog was open (delivered, or cancelled elsewhere).
            guard: 'noLongerCancellable',
            target: 'failed',
            actions: [
              'setStatus',
              assign(({ event }) => ({
                problem: {
                  code: 'ORDER_NOT_CANCELLABLE',
                  message: `The order is now ${STATUS_LABELS[event.status].toLowerCase()} and can no longer be cancelled.`,
                },
              })),
            ],
          },
          { actions: 'setStatus' },
        ],
      },
    },
    cancelling: {
      invoke: {
        src: 'cancelOrder',
        input: ({ context }) => ({
          orderId: context.orderId,
          reason: context.reason.trim() === '' ? null : context.reason.trim(),
          expectedVersion: context.version,
        }),
        onDone: {
          target: 'cancelled',
          actions: [
            assign({
              cancelled: ({ event }) => event.output,
              status: ({ event }) => event.output.status,
            }),
            { type: 'orderCancelled', params: ({ event }) => event.output },
          ],
        },
        onError: {
          target: 'failed',
          actions: [
            assign({
              problem: ({ event }) =>
                inWords(firstProblem(event.error)) ?? {
                  code: 'UNKNOWN',
                  message: 'The order could not be cancelled. Please try again.',
                },
            }),
            'cancelRefused',
          ],
        },
      },
    },
    cancelled: {},
    failed: {
      on: {
        OPEN: {
          guard: 'cancellable',
          target: 'confirming',
          actions: assign({ problem: null, reasonError: null }),
        },
        DISMISS: 'idle',
      },
    },
  },
});

function firstProblem(error: unknown): ApiProblem | null {
  if (!Array.isArray(error)) return null;
  const first: unknown = error[0];
  return typeof (first as ApiProblem | undefined)?.message === 'string'
    ? (first as ApiProblem)
    : null;
}

/** A version conflict is explained in words: what happened, where the order is, what to do. */
function inWords(problem: ApiProblem | null): ApiProblem | null {
  if (problem?.code !== 'VERSION_CONFLICT') return problem;
  const status = problem.currentStatus as OrderStatus | undefined;
  const known = status !== undefined && status in STATUS_LABELS;
  const now = known ? `: it is now ${STATUS_LABELS[status]}` : '';
  const next =
    known && !canCancel(status)
      ? ', so it can no longer be cancelled.'
      : '. Review it and cancel again if you still want to.';
  return { ...problem, message: `This order changed while you were looking at it${now}${next}` };
}
