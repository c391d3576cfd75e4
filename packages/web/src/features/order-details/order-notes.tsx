import { useApolloClient } from '@apollo/client/react';
import { NOTE_LIMITS } from '@oms/order-lifecycle';
import { useActorRef, useSelector } from '@xstate/react';
import { useId, useState, type SyntheticEvent } from 'react';
import { fromPromise } from 'xstate';
import { ErrorNotice } from '../../components/error-notice.js';
import { formatDateTime } from '../../lib/dates.js';
import { problemsOf } from '../../lib/graphql/api-problem.js';
import { ADD_ORDER_NOTE } from '../../lib/graphql/order.documents.js';
import type { OrderNote } from '../../lib/graphql/order.types.js';
import { addNoteMachine, type NoteDraft } from './add-note.machine.js';
import { noteAuthorLabel } from './notes.js';

const count = new Intl.NumberFormat('en');

/** The notes of one order, oldest first, and a form to add one. */
export function OrderNotes(props: {
  orderId: string;
  notes: readonly OrderNote[];
  /** Whether to offer INTERNAL notes (see `mayBeAdmin`). */
  offerVisibility: boolean;
  onAdded: (note: OrderNote) => void;
}) {
  const id = useId();
  return (
    <section className="notes" aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Notes</h2>
      {props.notes.length === 0 ? (
        <p className="empty">No notes yet.</p>
      ) : (
        <ol className="note-list" aria-labelledby={`${id}-heading`}>
          {props.notes.map((note) => (
            <li
              key={note.id}
              className={note.visibility === 'INTERNAL' ? 'note note-internal' : 'note'}
            >
              <p className="note-meta">
                {note.visibility === 'INTERNAL' ? (
                  <>
                    <span className="badge badge-internal">Internal</span>{' '}
                  </>
                ) : null}
                <span className="note-author">{noteAuthorLabel(note.author)}</span> ·{' '}
                <time dateTime={note.createdAt}>{formatDateTime(note.createdAt)}</time>
              </p>
              <p className="note-text">{note.text}</p>
            </li>
          ))}
        </ol>
      )}
      <AddNoteForm
        orderId={props.orderId}
        offerVisibility={props.offerVisibility}
        onAdded={props.onAdded}
      />
    </section>
  );
}

function AddNoteForm(props: {
  orderId: string;
  offerVisibility: boolean;
  onAdded: (note: OrderNote) => void;
}) {
  const client = useApolloClient();
  const { onAdded } = props;
  // Provided once: the machine's implementations must not change between renders.
  const [machine] = useState(() =>
    addNoteMachine.provide({
      actors: {
        addNote: fromPromise<OrderNote, NoteDraft>(async ({ input }) => {
          try {
            const result = await client.mutate({ mutation: ADD_ORDER_NOTE, variables: input });
            if (result.data === undefined) throw new Error('addOrderNote returned no data');
            return result.data.addOrderNote;
          } catch (error) {
            // The machine knows problems, not Apollo's error classes.
            // eslint-disable-next-line @typescript-eslint/only-throw-error
            throw problemsOf(error);
          }
        }),
      },
      actions: { noteAdded: (_, note) => onAdded(note) },
    }),
  );
  const actor = useActorRef(machine, { input: { orderId: props.orderId } });
  const text = useSelector(actor, (s) => s.context.text);
  const visibility = useSelector(actor, (s) => s.context.visibility);
  const textError = useSelector(actor, (s) => s.context.textError);
  const visibilityError = useSelector(actor, (s) => s.context.visibilityError);
  const problem = useSelector(actor, (s) => s.context.problem);
  const submitting = useSelector(actor, (s) => s.matches('submitting'));
  const id = useId();
  const ids = {
    text: `${id}-text`,
    hint: `${id}-hint`,
    textError: `${id}-text-error`,
    visibilityError: `${id}-visibility-error`,
  };

  const onSubmit = (event: SyntheticEvent) => {
    event.preventDefault();
    actor.send({ type: 'SUBMIT' });
  };
  const max = NOTE_LIMITS.maxTextLength;
  const length = text.trim().length;

  return (
    <form className="add-note" onSubmit={onSubmit} noValidate aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>Add a note</h3>
      {problem === null ? null : (
        <ErrorNotice title="The note was not added.">
          <p>{problem.message}</p>
        </ErrorNotice>
      )}
      <div className="field">
        <label htmlFor={ids.text}>Note</label>
        <textarea
          id={ids.text}
          rows={3}
          value={text}
          // What is typed while the note is on its way would be lost: the box waits with it.
          readOnly={submitting}
          aria-invalid={textError !== null}
          aria-describedby={textError === null ? ids.hint : `${ids.textError} ${ids.hint}`}
          onChange={(e) => actor.send({ type: 'EDIT_TEXT', text: e.target.value })}
        />
        <span id={ids.hint} className={length > max ? 'hint hint-over' : 'hint'}>
          {count.format(length)} of {count.format(max)} characters
        </span>
        {textError === null ? null : (
          <span id={ids.textError} className="field-error">
            {textError}
          </span>
        )}
      </div>
      {props.offerVisibility ? (
        <fieldset
          className="note-visibility"
          aria-invalid={visibilityError !== null}
          aria-describedby={visibilityError === null ? undefined : ids.visibilityError}
        >
          <legend>Visible to</legend>
          {(
            [
              ['PUBLIC', 'Everyone who may see the order (public)'],
              ['INTERNAL', 'Admins only (internal)'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="checkbox">
              <input
                type="radio"
                name={`${id}-visibility`}
                value={value}
                checked={visibility === value}
                onChange={() => actor.send({ type: 'SET_VISIBILITY', visibility: value })}
              />{' '}
              {label}
            </label>
          ))}
          {visibilityError === null ? null : (
            <span id={ids.visibilityError} className="field-error">
              {visibilityError}
            </span>
          )}
        </fieldset>
      ) : null}
      <p>
        <button type="submit" disabled={submitting}>
          {submitting ? 'Adding note…' : 'Add note'}
        </button>
      </p>
    </form>
  );
}
