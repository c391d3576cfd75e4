import { assign, fromPromise, setup } from 'xstate';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';
import type { CreateOrderInput, Order } from '../../lib/graphql/order.types.js';
import {
  ADDRESS_FIELDS,
  CUSTOMER_FIELDS,
  emptyLine,
  initialDraft,
  parseOrderForm,
  sentence,
  type AddressField,
  type CustomerField,
  type FieldErrors,
  type LineField,
  type OrderFormDraft,
  type PaymentChoice,
} from './order-form.js';

/** The code of the notice that points at highlighted fields rather than saying anything itself. */
export const FIX_FIELDS = 'FIX_FIELDS';

export interface CreateOrderContext {
  draft: OrderFormDraft;
  /** Shown only once the user has tried to submit; from then on they follow every edit. */
  showErrors: boolean;
  errors: FieldErrors;
  /** A refusal that belongs to no field (network, server). */
  problem: ApiProblem | null;
  /**
   * One key for the life of the form: a retry after a lost answer returns the order the
   * first attempt created instead of placing a second one.
   */
  idempotencyKey: string;
  created: Order | null;
  nextKey: number;
}

export type CreateOrderEvent =
  | { type: 'ADD_LINE' }
  | { type: 'REMOVE_LINE'; key: string }
  | { type: 'EDIT_LINE'; key: string; field: LineField; value: string }
  | { type: 'SET_CURRENCY'; currency: string }
  | { type: 'SET_PAYMENT'; payment: PaymentChoice }
  | { type: 'EDIT_CUSTOMER'; field: CustomerField; value: string }
  | { type: 'EDIT_ADDRESS'; field: AddressField; value: string }
  | { type: 'SUBMIT' };

function revalidate(
  context: CreateOrderContext,
  draft: OrderFormDraft,
): Partial<CreateOrderContext> {
  if (!context.showErrors) return { draft };
  const parsed = parseOrderForm(draft);
  // The server's field errors are replaced by the form's own, so its "fix the highlighted
  // fields" notice goes with them; a notice about anything else stays until the next submit.
  const problem = context.problem?.code === FIX_FIELDS ? null : context.problem;
  return { draft, errors: parsed.ok ? {} : parsed.errors, problem };
}

/** The create form: edit lines freely, submit only a valid order, map the server's refusals to fields. */
export const createOrderMachine = setup({
  types: {
    context: {} as CreateOrderContext,
    events: {} as CreateOrderEvent,
    input: {} as { idempotencyKey: string },
  },
  actors: {
    /** Sends the order; the app provides it (Apollo's createOrder mutation). */
    submitOrder: fromPromise<Order, CreateOrderInput>(() =>
      Promise.reject(new Error('submitOrder is provided by the app')),
    ),
  },
  guards: {
    formIsValid: ({ context }) => parseOrderForm(context.draft).ok,
    canRemoveLine: ({ context }) => context.draft.lines.length > 1,
  },
  actions: {
    /** Called once the order exists; the page navigates to it. */
    orderCreated: (_, _order: Order) => undefined,
  },
}).createMachine({
  id: 'createOrder',
  context: ({ input }) => ({
    draft: initialDraft('line-1'),
    showErrors: false,
    errors: {},
    problem: null,
    idempotencyKey: input.idempotencyKey,
    created: null,
    nextKey: 2,
  }),
  initial: 'editing',
  states: {
    editing: {
      on: {
        ADD_LINE: {
          actions: assign(({ context }) => ({
            ...revalidate(context, {
              ...context.draft,
              lines: [...context.draft.lines, emptyLine(`line-${context.nextKey}`)],
            }),
            nextKey: context.nextKey + 1,
          })),
        },
        REMOVE_LINE: {
          guard: 'canRemoveLine',
          actions: assign(({ context, event }) =>
            revalidate(context, {
              ...context.draft,
              lines: context.draft.lines.filter((line) => line.key !== event.key),
            }),
          ),
        },
        EDIT_LINE: {
          actions: assign(({ context, event }) =>
            revalidate(context, {
              ...context.draft,
              lines: context.draft.lines.map((line) =>
                line.key === event.key ? { ...line, [event.field]: event.value } : line,
              ),
            }),
          ),
        },
        SET_CURRENCY: {
          actions: assign(({ context, event }) =>
            revalidate(context, { ...context.draft, currency: event.currency }),
          ),
        },
        SET_PAYMENT: {
          actions: assign(({ context, event }) =>
            revalidate(context, { ...context.draft, payment: event.payment }),
          ),
        },
        EDIT_CUSTOMER: {
          actions: assign(({ context, event }) =>
            revalidate(context, {
              ...context.draft,
              customer: { ...context.draft.customer, [event.field]: event.value },
            }),
          ),
        },
        EDIT_ADDRESS: {
          actions: assign(({ context, event }) =>
            revalidate(context, {
              ...context.draft,
              address: { ...context.draft.address, [event.field]: event.value },
            }),
          ),
        },
        SUBMIT: [
          {
            guard: 'formIsValid',
            target: 'submitting',
            actions: assign({ errors: {}, problem: null, showErrors: true }),
          },
          {
            actions: assign(({ context }) => {
              const parsed = parseOrderForm(context.draft);
              return { showErrors: true, problem: null, errors: parsed.ok ? {} : parsed.errors };
            }),
          },
        ],
      },
    },
    submitting: {
      invoke: {
        src: 'submitOrder',
        input: ({ context }) => {
          const parsed = parseOrderForm(context.draft);
          if (!parsed.ok) throw new Error('submitting an invalid form');
          return { ...parsed.input, idempotencyKey: context.idempotencyKey };
        },
        onDone: {
          target: 'created',
          actions: [
            assign({ created: ({ event }) => event.output }),
            { type: 'orderCreated', params: ({ event }) => event.output },
          ],
        },
        onError: {
          target: 'editing',
          actions: assign(({ event }) => refusal(event.error)),
        },
      },
    },
    created: { type: 'final' },
  },
});

/** The server's field errors go next to their fields; anything else above the form. */
function refusal(error: unknown): Pick<CreateOrderContext, 'errors' | 'problem'> {
  const problems = isProblemList(error) ? error : [];
  const errors: FieldErrors = {};
  let problem: ApiProblem | null = null;
  for (const p of problems) {
    // The API names fields from its argument (`input.items[0].sku`); the form from the order.
    const field = p.field?.replace(/^input\./, '');
    if (field !== undefined && isFormField(field)) {
      errors[field] = sentence({ field, message: p.message });
    } else {
      // A refusal about something the form does not show keeps the server's words.
      problem ??= p;
    }
  }
  if (problems.length === 0) {
    problem = { code: 'UNKNOWN', message: 'The order could not be placed. Please try again.' };
  } else if (problem === null && Object.keys(errors).length > 0) {
    problem = { code: FIX_FIELDS, message: 'Please fix the highlighted fields.' };
  }
  return { errors, problem };
}

function isFormField(field: string): boolean {
  if (/^items(\[\d+\]\.(sku|name|quantity|unitPrice))?$/.test(field) || field === 'currency') {
    return true;
  }
  const [group, box] = field.split('.');
  if (box === undefined) return false;
  if (group === 'customer') return box in CUSTOMER_FIELDS;
  return group === 'shippingAddress' && box in ADDRESS_FIELDS;
}

function isProblemList(value: unknown): value is ApiProblem[] {
  return Array.isArray(value) && value.every((v) => typeof (v as ApiProblem).message === 'string');
}
