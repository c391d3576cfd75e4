import type { OrderStatus } from '@oms/order-lifecycle';
import { assign, fromPromise, setup } from 'xstate';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';

/** What the form sends: the API's WebhookEndpointInput. */
export interface EndpointDraft {
  url: string;
  description: string;
  /** None chosen: every event. */
  events: OrderStatus[];
}

/** A new endpoint and its secret, which the API shows this once. */
export interface CreatedEndpoint {
  id: string;
  url: string;
  secret: string;
}

export interface AddEndpointContext {
  draft: EndpointDraft;
  problems: ApiProblem[];
  created: CreatedEndpoint | null;
}

export type AddEndpointEvent =
  | { type: 'EDIT'; field: 'url' | 'description'; value: string }
  | { type: 'TOGGLE_EVENT'; status: OrderStatus }
  | { type: 'SUBMIT' }
  | { type: 'DISMISS_SECRET' };

const EMPTY: EndpointDraft = { url: '', description: '', events: [] };

/**
 * Adding a webhook endpoint: edit, submit, then show the secret until the user dismisses it
 * (it cannot be read again). The server checks the URL; its refusals are shown by field.
 */
export const addEndpointMachine = setup({
  types: {
    context: {} as AddEndpointContext,
    events: {} as AddEndpointEvent,
  },
  actors: {
    /** Creates the endpoint; the app provides it (Apollo's createWebhookEndpoint mutation). */
    createEndpoint: fromPromise<CreatedEndpoint, EndpointDraft>(() =>
      Promise.reject(new Error('createEndpoint is provided by the app')),
    ),
  },
  guards: {
    hasUrl: ({ context }) => context.draft.url.trim() !== '',
  },
  actions: {
    /** Called once the endpoint exists; the page reloads the list. */
    endpointCreated: () => undefined,
  },
}).createMachine({
  id: 'addEndpoint',
  context: { draft: EMPTY, problems: [], created: null },
  initial: 'editing',
  states: {
    editing: {
      on: {
        EDIT: {
          actions: assign({
            draft: ({ context, event }) => ({ ...context.draft, [event.field]: event.value }),
          }),
        },
        TOGGLE_EVENT: {
          actions: assign({
            draft: ({ context, event }) => ({
              ...context.draft,
              events: context.draft.events.includes(event.status)
                ? context.draft.events.filter((s) => s !== event.status)
                : [...context.draft.events, event.status],
            }),
          }),
        },
        SUBMIT: [
          { guard: 'hasUrl', target: 'submitting' },
          {
            actions: assign({
              problems: [{ code: 'BAD_USER_INPUT', field: 'input.url', message: 'is required' }],
            }),
          },
        ],
      },
    },
    submitting: {
      entry: assign({ problems: [] }),
      invoke: {
        src: 'createEndpoint',
        input: ({ context }) => context.draft,
        onDone: {
          target: 'created',
          actions: [
            assign({ created: ({ event }) => event.output, draft: EMPTY }),
            'endpointCreated',
          ],
        },
        onError: {
          target: 'editing',
          actions: assign({ problems: ({ event }) => event.error as ApiProblem[] }),
        },
      },
    },
    created: {
      on: {
        DISMISS_SECRET: { target: 'editing', actions: assign({ created: null }) },
      },
    },
  },
});
