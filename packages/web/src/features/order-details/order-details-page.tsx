import { useApolloClient } from '@apollo/client/react';
import { useActorRef, useSelector } from '@xstate/react';
import { useCallback, useState } from 'react';
import { Link, useParams } from 'react-router';
import { fromCallback, fromPromise, type EventObject } from 'xstate';
import { useAppServices } from '../../lib/app-services.js';
import { ErrorNotice } from '../../components/error-notice.js';
import { Loading } from '../../components/loading.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { mayBeAdmin, readAccessToken } from '../../lib/auth/access-token.js';
import { problemsOf } from '../../lib/graphql/api-problem.js';
import { ORDER_QUERY } from '../../lib/graphql/order.documents.js';
import { CancelOrderButton } from '../../components/cancel-order/cancel-order-button.js';
import { orderDetailsMachine } from './order-details.machine.js';
import { NextActionCountdown } from './next-action-countdown.js';
import { OrderNotes } from './order-notes.js';
import { OrderSummary } from './order-summary.js';

export function OrderDetailsPage() {
  const { id = '' } = useParams();
  // A new id is a new page: a fresh machine, not a reused one showing the previous order.
  return <OrderDetails key={id} orderId={id} />;
}

function OrderDetails({ orderId }: { orderId: string }) {
  const client = useApolloClient();
  const { connection, orderEvents } = useAppServices();
  const [machine] = useState(() =>
    orderDetailsMachine.provide({
      actors: {
        loadOrder: fromPromise(async ({ input }) => {
          try {
            const result = await client.query({
              query: ORDER_QUERY,
              variables: { id: input.orderId },
              fetchPolicy: 'network-only',
            });
            return result.data?.order ?? null;
          } catch (error) {
            const problems = problemsOf(error);
            // An id that cannot be an order id names no order: that is "not found" too.
            if (problems.some((p) => p.code === 'BAD_USER_INPUT' || p.code === 'NOT_FOUND')) {
              return null;
            }
            // eslint-disable-next-line @typescript-eslint/only-throw-error
            throw problems;
          }
        }),
        watchOrder: fromCallback<EventObject, { orderId: string }>(({ sendBack, input }) => {
          // The tab's one feed of order events: after a reconnect it replays what was missed.
          const stopListening = orderEvents.onOrder((order) => {
            if (order.id === input.orderId.toLowerCase())
              sendBack({ type: 'ORDER_UPDATED', order });
          });
          const resynced = connection.on('resynced', () => sendBack({ type: 'RESYNC' }));
          return () => {
            stopListening();
            resynced.unsubscribe();
          };
        }),
      },
    }),
  );
  const actor = useActorRef(machine, { input: { orderId } });
  const order = useSelector(actor, (s) => s.context.order);
  const resync = useCallback(() => actor.send({ type: 'RESYNC' }), [actor]);
  const view = useSelector(actor, (s) =>
    s.matches('notFound')
      ? 'notFound'
      : s.matches('failed')
        ? 'failed'
        : order === null
          ? 'loading'
          : 'ready',
  );
  const error = useSelector(actor, (s) => s.context.error);
  // Read once: changing the token reloads the tab.
  const [offerVisibility] = useState(() => mayBeAdmin(readAccessToken()));
  // The number is what people quote; until the order is read only the id in the address is known.
  useDocumentTitle(
    view === 'notFound' ? 'Order not found' : order === null ? 'Order' : `Order #${order.number}`,
  );

  if (view === 'notFound') {
    return (
      <section>
        <h1>Order not found</h1>
        <p>
          There is no order <code>{orderId}</code>. <Link to="/orders">Back to orders</Link>
        </p>
      </section>
    );
  }
  if (view === 'failed') {
    return (
      <section>
        <h1>Order {orderId}</h1>
        <ErrorNotice title="The order could not be loaded.">
          <p>{error}</p>
          <button type="button" onClick={() => actor.send({ type: 'RETRY' })}>
            Try again
          </button>
        </ErrorNotice>
      </section>
    );
  }
  if (order === null) return <Loading label="Loading the order" />;
  return (
    <section className="order-details">
      <p className="breadcrumb">
        <Link to="/orders">← All orders</Link>
      </p>
      <h1 className="order-title">Order #{order.number}</h1>
      <p className="order-id">
        ID <code>{order.id}</code>
      </p>
      <OrderSummary order={order} />
      {order.nextAction === null ? null : (
        <NextActionCountdown
          key={`${order.nextAction.kind}-${order.nextAction.dueAt}`}
          action={order.nextAction}
          onDue={resync}
        />
      )}
      <CancelOrderButton
        orderId={order.id}
        status={order.status}
        version={order.version}
        label="Cancel order"
        onCancelled={(cancelled) => actor.send({ type: 'ORDER_UPDATED', order: cancelled })}
        onRefused={() => actor.send({ type: 'RESYNC' })}
      />
      <OrderNotes
        orderId={order.id}
        notes={order.notes}
        offerVisibility={offerVisibility}
        onAdded={(note) => actor.send({ type: 'NOTE_ADDED', note })}
      />
    </section>
  );
}
