import { validateNoteText } from '@oms/order-lifecycle';
import { assign, fromPromise, setup } from 'xstate';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';
import type { NoteVisibility, OrderNote } from '../../lib/graphql/order.types.js';

/** What is sent: the API's addOrderNote arguments. */
export interface NoteDraft {
  orderId: string;
  text: string;
  /** Null sends none: the API's default, PUBLIC. */
  visibility: NoteVisibility | null;
}

export interface AddNoteContext {
  orderId: string;
  text: string;
  visibility: NoteVisibility;
  /** Shown only once the user has tried to send; from then on they follow every edit. */
  showErrors: boolean;
  textError: string | null;
  visibilityError: string | null;
  /** A refusal that belongs to no field (not found, network). */
  problem: ApiProblem | null;
}

export type AddNoteEvent =
  | { type: 'EDIT_TEXT'; text: string }
  | { type: 'SET_VISIBILITY'; visibility: NoteVisibility }
  | { type: 'SUBMIT' };

/** The text checked as the API will check it: trimmed, by the shared rule; null when fine. */
export function noteTextError(text: string): string | null {
  const error = validateNoteText(text.trim())[0];
  return error === undefined ? null : `Note ${error.message}`;
}

/**
 * Adding a note to one order: type, send only text the shared rule accepts, then start afresh;
 * the API's refusals go next to the field they name (text, visibility) or above the form.
 */
export const addNoteMachine = setup({
  types: {
    context: {} as AddNoteContext,
    events: {} as AddNoteEvent,
    input: {} as { orderId: string },
  },
  actors: {
    /** The app provides it (Apollo's addOrderNote mutation); rejects with ApiProblem[]. */
    addNote: fromPromise<OrderNote, NoteDraft>(() =>
      Promise.reject(new Error('addNote is provided by the app')),
    ),
  },
  guards: {
    textIsValid: ({ context }) => noteTextError(context.text) === null,
  },
  actions: {
    /** Called with the stored note; the page shows it at once. */
    noteAdded: (_, _note: OrderNote) => undefined,
  },
}).createMachine({
  id: 'addNote',
  context: ({ input }) => ({
    orderId: input.orderId,
    text: '',
    visibility: 'PUBLIC',
    showErrors: false,
    textError: null,
    visibilityError: null,
    problem: null,
  }),
  initial: 'editing',
  states: {
    editing: {
      on: {
        EDIT_TEXT: {
          actions: assign(({ context, event }) => ({
            text: event.text,
            textError: context.showErrors ? noteTextError(event.text) : null,
          })),
        },
        SET_VISIBILITY: {
          actions: assign(({ event }) => ({ visibility: event.visibility, visibilityError: null })),
        },
        SUBMIT: [
          { guard: 'textIsValid', target: 'submitting' },
          {
            actions: assign(({ context }) => ({
              showErrors: true,
              textError: noteTextError(context.text),
              problem: null,
            })),
          },
        ],
      },
    },
    submitting: {
      entry: assign({ textError: null, visibilityError: null, problem: null }),
      invoke: {
        src: 'addNote',
        input: ({ context }) => ({
          orderId: context.orderId,
          text: context.text.trim(),
          // PUBLIC is the API's default: a customer's request then names no visibility at all.
          visibility: context.visibility === 'PUBLIC' ? null : context.visibility,
        }),
        onDone: {
          target: 'editing',
          actions: [
            // The visibility stays: an admin writing internal notes writes several.
            assign({ text: '', showErrors: false }),
            { type: 'noteAdded', params: ({ event }) => event.output },
          ],
        },
        onError: {
          target: 'editing',
          actions: assign(({ event }) => ({ showErrors: true, ...refusal(event.error) })),
        },
      },
    },
  },
});

/** The API's refusal, by field: `text` and `visibility` next to their controls, else on top. */
function refusal(
  error: unknown,
): Pick<AddNoteContext, 'textError' | 'visibilityError' | 'problem'> {
  const problems = isProblemList(error) ? error : [];
  let textError: string | null = null;
  let visibilityError: string | null = null;
  let problem: ApiProblem | null = null;
  for (const p of problems) {
    if (p.field === 'text') textError ??= `Note ${p.message}`;
    // The API's sentence ("Only admins add INTERNAL notes") says it all.
    else if (p.field === 'visibility') visibilityError ??= p.message;
    else problem ??= p;
  }
  if (problems.length === 0) {
    problem = { code: 'UNKNOWN', message: 'The note could not be added. Please try again.' };
  }
  return { textError, visibilityError, problem };
}

function isProblemList(value: unknown): value is ApiProblem[] {
  return Array.isArray(value) && value.every((v) => typeof (v as ApiProblem).message === 'string');
}
