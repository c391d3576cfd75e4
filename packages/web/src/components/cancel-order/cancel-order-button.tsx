import { useApolloClient } from '@apollo/client/react';
import { canCancel, type OrderStatus } from '@oms/order-lifecycle';
import { useActorRef, useSelector } from '@xstate/react';
import { useEffect, useId, useState } from 'react';
import { fromPromise } from 'xstate';
import { problemsOf } from '../../lib/graphql/api-problem.js';
import { CANCEL_ORDER } from '../../lib/graphql/order.documents.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { cancelOrderMachine } from './cancel-order.machine.js';
import { useModalDialog } from '../use-modal-dialog.js';

export interface CancelOrderButtonProps {
  orderId: string;
  status: OrderStatus;
  /**
   * The order's version as shown; when given it is sent as `expectedVersion`, so a cancel of an
   * order that moved on meanwhile is refused (VERSION_CONFLICT) instead of applied blindly.
   */
  version?: number;
  /** Visible text; the accessible name always says which order. */
  label: string;
  accessibleName?: string;
  onCancelled?: (order: Order) => void;
  onRefused?: () => void;
}

/** A cancel button, shown only where the lifecycle allows it, with a confirmation dialog. */
export function CancelOrderButton(props: CancelOrderButtonProps) {
  const client = useApolloClient();
  const [machine] = useState(() =>
    cancelOrderMachine.provide({
      actors: {
        cancelOrder: fromPromise(async ({ input }) => {
          try {
            const result = await client.mutate({
              mutation: CANCEL_ORDER,
              variables:
                input.expectedVersion === null
                  ? { id: input.orderId, reason: input.reason }
                  : {
                      id: input.orderId,
                      reason: input.reason,
                      expectedVersion: input.expectedVersion,
                    },
            });
            if (result.data === undefined) throw new Error('cancelOrder returned no data');
            return result.data.cancelOrder;
          } catch (error) {
            // eslint-disable-next-line @typescript-eslint/only-throw-error
            throw problemsOf(error);
          }
        }),
      },
    }),
  );
  const actor = useActorRef(machine, {
    input: { orderId: props.orderId, status: props.status, version: props.version ?? null },
  });
  useEffect(() => {
    actor.send({ type: 'STATUS_CHANGED', status: props.status, version: props.version ?? null });
  }, [actor, props.status, props.version]);
  const { onCancelled, onRefused } = props;
  useEffect(() => {
    const cancelled = actor.on('cancelled', (event) => onCancelled?.(event.order));
    const refused = actor.on('refused', () => onRefused?.());
    return () => {
      cancelled.unsubscribe();
      refused.unsubscribe();
    };
  }, [actor, onCancelled, onRefused]);

  const state = useSelector(actor, (s) => s.value as string);
  // Offered from the lifecycle's rule, and kept while the dialog is open so focus can return.
  const offered = useSelector(actor, (s) => canCancel(s.context.status) && !s.matches('cancelled'));
  const reason = useSelector(actor, (s) => s.context.reason);
  const reasonError = useSelector(actor, (s) => s.context.reasonError);
  const problem = useSelector(actor, (s) => s.context.problem);
  const id = useId();
  const open = state === 'confirming' || state === 'cancelling';

  const dialogRef = useModalDialog(open);

  return (
    <div className="cancel-order">
      {offered ? (
        <button
          type="button"
          className="danger"
          aria-label={props.accessibleName}
          onClick={() => actor.send({ type: 'OPEN' })}
        >
          {props.label}
        </button>
      ) : null}
      {state === 'cancelled' ? (
        <p className="notice notice-success" role="status">
          Order cancelled.
        </p>
      ) : null}
      {state === 'failed' && problem !== null ? (
        <div className="notice notice-error" role="alert">
          <strong>The order was not cancelled.</strong> {problem.message}
        </div>
      ) : null}
      <dialog
        ref={dialogRef}
        aria-labelledby={`${id}-title`}
        onCancel={(e) => {
          // Escape closes through the machine, so its state and the dialog never disagree.
          e.preventDefault();
          actor.send({ type: 'DISMISS' });
        }}
      >
        {open ? (
          <form
            method="dialog"
            onSubmit={(e) => {
              e.preventDefault();
              actor.send({ type: 'CONFIRM' });
            }}
          >
            <h2 id={`${id}-title`}>Cancel this order?</h2>
            <p>
              Order <code>{props.orderId}</code> will be cancelled and any payment refunded. This
              cannot be undone.
            </p>
            <div className="field">
              <label htmlFor={`${id}-reason`}>Reason (optional)</label>
              <textarea
                id={`${id}-reason`}
                value={reason}
                rows={2}
                aria-invalid={reasonError !== null}
                aria-describedby={reasonError === null ? undefined : `${id}-reason-error`}
                onChange={(e) => actor.send({ type: 'EDIT_REASON', reason: e.target.value })}
              />
              {reasonError === null ? null : (
                <span id={`${id}-reason-error`} className="field-error">
                  {reasonError}
                </span>
              )}
            </div>
            <div className="dialog-actions">
              <button type="submit" className="danger" disabled={state === 'cancelling'}>
                {state === 'cancelling' ? 'Cancelling…' : 'Yes, cancel order'}
              </button>
              <button
                type="button"
                className="secondary"
                disabled={state === 'cancelling'}
                onClick={() => actor.send({ type: 'DISMISS' })}
              >
                Keep order
              </button>
            </div>
          </form>
        ) : null}
      </dialog>
    </div>
  );
}
