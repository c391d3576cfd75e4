import { useApolloClient } from '@apollo/client/react';
import { useActorRef, useSelector } from '@xstate/react';
import { useId, useRef, useState, type SyntheticEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { fromPromise } from 'xstate';
import { ErrorNotice } from '../../components/error-notice.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { problemsOf } from '../../lib/graphql/api-problem.js';
import { CREATE_ORDER } from '../../lib/graphql/order.documents.js';
import type { CreateOrderInput, Order } from '../../lib/graphql/order.types.js';
import { formatMoney } from '../../lib/money.js';
import { AddressFields, CustomerFields } from './contact-fields.js';
import { createOrderMachine, FIX_FIELDS } from './create-order.machine.js';
import {
  CURRENCIES,
  FIELD_LABELS,
  runningTotal,
  type LineDraft,
  type LineField,
  type PaymentChoice,
} from './order-form.js';

const LINE_FIELDS: LineField[] = ['sku', 'name', 'quantity', 'unitPrice'];

export function CreateOrderPage() {
  useDocumentTitle('New order');
  const client = useApolloClient();
  const navigate = useNavigate();
  const [idempotencyKey] = useState(() => crypto.randomUUID());
  // Provided once: the machine's implementations must not change between renders.
  const [machine] = useState(() =>
    createOrderMachine.provide({
      actors: {
        submitOrder: fromPromise<Order, CreateOrderInput>(async ({ input }) => {
          try {
            const result = await client.mutate({ mutation: CREATE_ORDER, variables: { input } });
            if (result.data === undefined) throw new Error('createOrder returned no data');
            return result.data.createOrder;
          } catch (error) {
            // The machine knows problems, not Apollo's error classes.
            // eslint-disable-next-line @typescript-eslint/only-throw-error
            throw problemsOf(error);
          }
        }),
      },
      actions: {
        orderCreated: (_, order) => {
          void navigate(`/orders/${order.id}`);
        },
      },
    }),
  );
  const actor = useActorRef(machine, { input: { idempotencyKey } });
  const draft = useSelector(actor, (s) => s.context.draft);
  const errors = useSelector(actor, (s) => s.context.errors);
  const problem = useSelector(actor, (s) => s.context.problem);
  const submitting = useSelector(actor, (s) => s.matches('submitting'));
  const formId = useId();
  const addButton = useRef<HTMLButtonElement>(null);

  const onSubmit = (event: SyntheticEvent) => {
    event.preventDefault();
    actor.send({ type: 'SUBMIT' });
  };
  const fieldErrorCount = Object.keys(errors).length;

  return (
    <section className="create-order">
      <h1>New order</h1>
      <form onSubmit={onSubmit} noValidate aria-describedby={`${formId}-problem`}>
        <div id={`${formId}-problem`}>
          {problem !== null ? (
            problem.code === FIX_FIELDS ? (
              <ErrorNotice title="Please fix the highlighted fields." />
            ) : (
              <ErrorNotice title="The order was not placed.">
                <p>{problem.message}</p>
                {problem.code === 'IDEMPOTENCY_KEY_REUSED' && problem.orderId !== undefined ? (
                  // An earlier attempt from this form went through although its answer was lost.
                  <p>
                    This form already placed{' '}
                    <Link to={`/orders/${problem.orderId}`}>order {problem.orderId}</Link>.{' '}
                    <a href="/orders/new">Start a new order</a>
                  </p>
                ) : null}
              </ErrorNotice>
            )
          ) : fieldErrorCount > 0 ? (
            <ErrorNotice title="Please fix the highlighted fields." />
          ) : null}
        </div>
        {errors.items !== undefined ? (
          <p className="field-error" role="alert">
            {errors.items}
          </p>
        ) : null}
        {draft.lines.map((line, index) => (
          <ItemLine
            key={line.key}
            line={line}
            index={index}
            errors={errors}
            canRemove={draft.lines.length > 1}
            onEdit={(field, value) =>
              actor.send({ type: 'EDIT_LINE', key: line.key, field, value })
            }
            onRemove={() => {
              actor.send({ type: 'REMOVE_LINE', key: line.key });
              // The pressed button is gone with its line; keep the keyboard user in the form.
              addButton.current?.focus();
            }}
          />
        ))}
        <p>
          <button
            ref={addButton}
            type="button"
            className="secondary"
            onClick={() => actor.send({ type: 'ADD_LINE' })}
          >
            Add item
          </button>
        </p>
        <div className="form-row">
          <Field id={`${formId}-currency`} label="Currency" error={errors.currency}>
            {(props) => (
              <select
                {...props}
                value={draft.currency}
                onChange={(e) => actor.send({ type: 'SET_CURRENCY', currency: e.target.value })}
              >
                {CURRENCIES.map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field id={`${formId}-payment`} label="Payment" error={errors.paymentToken}>
            {(props) => (
              <select
                {...props}
                value={draft.payment}
                onChange={(e) =>
                  actor.send({ type: 'SET_PAYMENT', payment: e.target.value as PaymentChoice })
                }
              >
                <option value="random">Random outcome (mock)</option>
                <option value="approve">Always approve (tok_approve)</option>
                <option value="decline">Always decline (tok_decline)</option>
              </select>
            )}
          </Field>
        </div>
        <CustomerFields
          idBase={formId}
          draft={draft.customer}
          errors={errors}
          onEdit={(field, value) => actor.send({ type: 'EDIT_CUSTOMER', field, value })}
        />
        <AddressFields
          idBase={formId}
          draft={draft.address}
          errors={errors}
          onEdit={(field, value) => actor.send({ type: 'EDIT_ADDRESS', field, value })}
        />
        <p className="total">
          <label htmlFor={`${formId}-total`}>Total</label>{' '}
          <output id={`${formId}-total`} aria-label="Total" role="status" aria-live="polite">
            {formatMoney(runningTotal(draft), draft.currency)}
          </output>
        </p>
        <p>
          <button type="submit" disabled={submitting}>
            {submitting ? 'Placing order…' : 'Place order'}
          </button>
        </p>
      </form>
    </section>
  );
}

function ItemLine(props: {
  line: LineDraft;
  index: number;
  errors: Record<string, string>;
  canRemove: boolean;
  onEdit: (field: LineField, value: string) => void;
  onRemove: () => void;
}) {
  const { line, index, errors } = props;
  const n = index + 1;
  const idBase = `line-${line.key}`;
  return (
    <fieldset className="item-line">
      <legend>Item {n}</legend>
      {LINE_FIELDS.map((field) => (
        <Field
          key={field}
          id={`${idBase}-${field}`}
          label={FIELD_LABELS[field]}
          error={errors[`items[${index}].${field}`]}
        >
          {(inputProps) => (
            <input
              {...inputProps}
              // A line added by the user takes the focus, so typing can start at once.
              autoFocus={field === 'sku' && index > 0}
              type="text"
              inputMode={
                field === 'quantity' ? 'numeric' : field === 'unitPrice' ? 'decimal' : undefined
              }
              autoComplete="off"
              placeholder={field === 'unitPrice' ? '12.50' : undefined}
              value={line[field]}
              onChange={(e) => props.onEdit(field, e.target.value)}
            />
          )}
        </Field>
      ))}
      <button
        type="button"
        className="secondary remove-line"
        disabled={!props.canRemove}
        onClick={props.onRemove}
      >
        Remove item {n}
      </button>
    </fieldset>
  );
}

interface ControlProps {
  id: string;
  'aria-invalid': boolean;
  'aria-describedby': string | undefined;
}

/** A label, a control and its error, wired so the error is the control's description. */
function Field(props: {
  id: string;
  label: string;
  error: string | undefined;
  children: (controlProps: ControlProps) => React.ReactNode;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      {props.children({
        id: props.id,
        'aria-invalid': props.error !== undefined,
        'aria-describedby': props.error === undefined ? undefined : errorId,
      })}
      {props.error === undefined ? null : (
        <span id={errorId} className="field-error">
          {props.error}
        </span>
      )}
    </div>
  );
}
