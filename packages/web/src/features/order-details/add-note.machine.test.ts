// @vitest-environment node
import { NOTE_LIMITS } from '@oms/order-lifecycle';
import { createActor, fromPromise, waitFor } from 'xstate';
import { describe, expect, it } from 'vitest';
import type { ApiProblem } from '../../lib/graphql/api-problem.js';
import type { OrderNote } from '../../lib/graphql/order.types.js';
import { addNoteMachine, noteTextError, type NoteDraft } from './add-note.machine.js';

const ORDER_ID = '5f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';

function stored(draft: NoteDraft): OrderNote {
  return {
    id: 'n1',
    text: draft.text,
    visibility: draft.visibility ?? 'PUBLIC',
    createdAt: '2024-06-01T10:00:00.000Z',
    author: { kind: 'ADMIN', id: 'ops' },
  };
}

/** The real machine with the mutation swapped; records what was sent and what was added. */
function withServer(answer: (draft: NoteDraft) => Promise<OrderNote>) {
  const sent: NoteDraft[] = [];
  const added: OrderNote[] = [];
  const machine = addNoteMachine.provide({
    actors: {
      addNote: fromPromise<OrderNote, NoteDraft>(({ input }) => {
        sent.push(input);
        return answer(input);
      }),
    },
    actions: { noteAdded: (_, note) => added.push(note) },
  });
  const actor = createActor(machine, { input: { orderId: ORDER_ID } }).start();
  return { actor, sent, added };
}

// Rejected the way the page's actor does: with the API's problems, not an Error.
// eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
const refuse = (problems: ApiProblem[]) => () => Promise.reject(problems);

describe('noteTextError', () => {
  it('words the shared rule, on the text as the API will see it (trimmed)', () => {
    expect(noteTextError('')).toBe('Note must not be blank');
    expect(noteTextError(' \n ')).toBe('Note must not be blank');
    expect(noteTextError('x'.repeat(NOTE_LIMITS.maxTextLength))).toBeNull();
    expect(noteTextError(` ${'x'.repeat(NOTE_LIMITS.maxTextLength)} `)).toBeNull();
    expect(noteTextError('x'.repeat(NOTE_LIMITS.maxTextLength + 1))).toBe(
      `Note must be at most ${NOTE_LIMITS.maxTextLength} characters`,
    );
  });
});

describe('adding a note', () => {
  it('sends trimmed text without a visibility for PUBLIC, then starts afresh', async () => {
    const { actor, sent, added } = withServer((draft) => Promise.resolve(stored(draft)));
    actor.send({ type: 'EDIT_TEXT', text: '  Leave at the door  ' });
    actor.send({ type: 'SUBMIT' });
    expect(actor.getSnapshot().matches('submitting')).toBe(true);
    await waitFor(actor, (s) => s.matches('editing'));
    expect(sent).toEqual([{ orderId: ORDER_ID, text: 'Leave at the door', visibility: null }]);
    expect(added.map((n) => n.text)).toEqual(['Leave at the door']);
    expect(actor.getSnapshot().context.text).toBe('');
    expect(actor.getSnapshot().context.textError).toBeNull();
  });

  it('sends INTERNAL when chosen, and keeps the choice for the next note', async () => {
    const { actor, sent } = withServer((draft) => Promise.resolve(stored(draft)));
    actor.send({ type: 'SET_VISIBILITY', visibility: 'INTERNAL' });
    actor.send({ type: 'EDIT_TEXT', text: 'Fraud check passed' });
    actor.send({ type: 'SUBMIT' });
    await waitFor(actor, (s) => s.matches('editing') && sent.length === 1);
    expect(sent[0]?.visibility).toBe('INTERNAL');
    expect(actor.getSnapshot().context.visibility).toBe('INTERNAL');
  });

  it('does not send blank text; the message then follows every edit', () => {
    const { actor, sent } = withServer((draft) => Promise.resolve(stored(draft)));
    actor.send({ type: 'EDIT_TEXT', text: '   ' });
    // Nothing is said before the first try.
    expect(actor.getSnapshot().context.textError).toBeNull();
    actor.send({ type: 'SUBMIT' });
    expect(sent).toEqual([]);
    expect(actor.getSnapshot().matches('editing')).toBe(true);
    expect(actor.getSnapshot().context.textError).toBe('Note must not be blank');
    actor.send({ type: 'EDIT_TEXT', text: 'ok' });
    expect(actor.getSnapshot().context.textError).toBeNull();
    actor.send({ type: 'EDIT_TEXT', text: 'x'.repeat(NOTE_LIMITS.maxTextLength + 1) });
    expect(actor.getSnapshot().context.textError).toBe(
      `Note must be at most ${NOTE_LIMITS.maxTextLength} characters`,
    );
  });

  it("puts the API's BAD_USER_INPUT on the text, and keeps what was typed", async () => {
    const { actor, sent, added } = withServer(
      // A rule the API enforces that this form did not (a stricter server, say).
      refuse([{ code: 'BAD_USER_INPUT', field: 'text', message: 'must be at most 5 characters' }]),
    );
    actor.send({ type: 'EDIT_TEXT', text: 'Hello there' });
    actor.send({ type: 'SUBMIT' });
    const back = await waitFor(actor, (s) => s.matches('editing') && sent.length === 1);
    expect(back.context.textError).toBe('Note must be at most 5 characters');
    expect(back.context.problem).toBeNull();
    expect(back.context.text).toBe('Hello there');
    expect(added).toEqual([]);
  });

  it("shows a visibility refusal in the API's words next to the choice", async () => {
    const { actor, sent } = withServer(
      refuse([
        { code: 'FORBIDDEN', field: 'visibility', message: 'Only admins add INTERNAL notes' },
      ]),
    );
    actor.send({ type: 'SET_VISIBILITY', visibility: 'INTERNAL' });
    actor.send({ type: 'EDIT_TEXT', text: 'Secret' });
    actor.send({ type: 'SUBMIT' });
    const back = await waitFor(actor, (s) => s.matches('editing') && sent.length === 1);
    expect(back.context.visibilityError).toBe('Only admins add INTERNAL notes');
    expect(back.context.textError).toBeNull();
    // Choosing again clears it.
    actor.send({ type: 'SET_VISIBILITY', visibility: 'PUBLIC' });
    expect(actor.getSnapshot().context.visibilityError).toBeNull();
  });

  it('shows any other refusal above the form, and a retry clears it', async () => {
    let answer: (draft: NoteDraft) => Promise<OrderNote> = refuse([
      { code: 'NETWORK', message: 'Could not reach the orders service.' },
    ]);
    const { actor, sent } = withServer((draft) => answer(draft));
    actor.send({ type: 'EDIT_TEXT', text: 'Hello' });
    actor.send({ type: 'SUBMIT' });
    const failed = await waitFor(actor, (s) => s.matches('editing') && sent.length === 1);
    expect(failed.context.problem?.message).toBe('Could not reach the orders service.');
    answer = (draft) => Promise.resolve(stored(draft));
    actor.send({ type: 'SUBMIT' });
    expect(actor.getSnapshot().context.problem).toBeNull();
    const done = await waitFor(actor, (s) => s.matches('editing') && sent.length === 2);
    expect(done.context.text).toBe('');
  });
});
