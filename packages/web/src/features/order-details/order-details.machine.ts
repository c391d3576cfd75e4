import { assign, fromCallback, fromPromise, setup, type EventObject } from 'xstate';
import { isSameOrNewer, type Order, type OrderNote } from '../../lib/graphql/order.types.js';
import { withKnownNotes, withNote } from './notes.js';

export interface OrderDetailsContext {
  orderId: string;
  order: Order | null;
  error: string | null;
}

export type OrderDetailsEvent =
  /** A transition pushed by the server, or the answer to our own cancel. */
  | { type: 'ORDER_UPDATED'; order: Order }
  /** Live updates came back after an outage: events may have been missed. */
  | { type: 'RESYNC' }
  | { type: 'RETRY' }
  /** A note this page added: shown at once, without waiting for the next snapshot. */
  | { type: 'NOTE_ADDED'; note: OrderNote };

/**
 * One order, live. The subscription starts before the first read, so a transition that commits
 * between the two is not lost; every snapshot, pushed or read, is kept only if it is not older
 * than the one shown, so the status never steps backwards.
 */
export const orderDetailsMachine = setup({
  types: {
    context: {} as OrderDetailsContext,
    events: {} as OrderDetailsEvent,
    input: {} as { orderId: string },
  },
  actors: {
    /** Reads the order from the server (never from a cache); null when there is none. */
    loadOrder: fromPromise<Order | null, { orderId: string }>(() =>
      Promise.reject(new Error('loadOrder is provided by the app')),
    ),
    /** Subscribes to the order's transitions and sends ORDER_UPDATED / RESYNC. */
    watchOrder: fromCallback<EventObject, { orderId: string }>(() => () => undefined),
  },
  guards: {
    isNewer: ({ context, event }) =>
      event.type === 'ORDER_UPDATED' && isSameOrNewer(event.order, context.order),
    isMissing: (_, params: { order: Order | null }) => params.order === null,
  },
  actions: {
    keepIfNewer: assign({
      order: ({ context }, params: { order: Order | null }) =>
        params.order !== null && isSameOrNewer(params.order, context.order)
          ? withKnownNotes(params.order, context.order)
          : // An older status, but its notes may still be news (notes make no transition).
            context.order !== null && params.order !== null
            ? withKnownNotes(context.order, params.order)
            : context.order,
    }),
  },
}).createMachine({
  id: 'orderDetails',
  context: ({ input }) => ({ orderId: input.orderId, order: null, error: null }),
  initial: 'live',
  states: {
    live: {
      invoke: { src: 'watchOrder', input: ({ context }) => ({ orderId: context.orderId }) },
      on: {
        ORDER_UPDATED: {
          guard: 'isNewer',
          actions: assign({
            order: ({ context, event }) => withKnownNotes(event.order, context.order),
          }),
        },
        NOTE_ADDED: {
          actions: assign({
            order: ({ context, event }) =>
              context.order === null ? null : withNote(context.order, event.note),
          }),
        },
      },
      initial: 'loading',
      states: {
        loading: {
          invoke: {
            src: 'loadOrder',
            input: ({ context }) => ({ orderId: context.orderId }),
            onDone: [
              {
                guard: { type: 'isMissing', params: ({ event }) => ({ order: event.output }) },
                target: '#orderDetails.notFound',
              },
              {
                target: 'ready',
                actions: {
                  type: 'keepIfNewer',
                  params: ({ event }) => ({ order: event.output }),
                },
              },
            ],
            onError: {
              target: '#orderDetails.failed',
              actions: assign({ error: ({ event }) => messageOf(event.error) }),
            },
          },
        },
        ready: {
          on: { RESYNC: 'resyncing' },
        },
        resyncing: {
          invoke: {
            src: 'loadOrder',
            input: ({ context }) => ({ orderId: context.orderId }),
            onDone: {
              target: 'ready',
              actions: {
                type: 'keepIfNewer',
                params: ({ event }) => ({ order: event.output }),
              },
            },
            // The last known state stays on screen; the next reconnect reads again.
            onError: 'ready',
          },
        },
      },
    },
    notFound: {},
    failed: {
      on: { RETRY: { target: 'live', actions: assign({ error: null }) } },
    },
  },
});

function messageOf(error: unknown): string {
  if (
    Array.isArray(error) &&
    typeof (error[0] as { message?: unknown } | undefined)?.message === 'string'
  ) {
    return (error[0] as { message: string }).message;
  }
  return error instanceof Error ? error.message : 'The order could not be loaded.';
}
