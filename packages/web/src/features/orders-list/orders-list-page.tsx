import { useApolloClient, useQuery } from '@apollo/client/react';
import { isOrderStatus, ORDER_STATUSES, type OrderStatus } from '@oms/order-lifecycle';
import { useCallback, useEffect } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorNotice } from '../../components/error-notice.js';
import { Loading } from '../../components/loading.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { problemsOf } from '../../lib/graphql/api-problem.js';
import { useAppServices } from '../../lib/app-services.js';
import { ORDERS_QUERY } from '../../lib/graphql/order.documents.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { STATUS_LABELS } from '../../lib/status-labels.js';
import { applyOrderToPage } from './orders-page.js';
import { OrdersTable } from './orders-table.js';

export const PAGE_SIZE = 20;

export function OrdersListPage() {
  useDocumentTitle('Orders');
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status: OrderStatus | null = isOrderStatus(raw) ? raw : null;
  const client = useApolloClient();
  const { orderEvents } = useAppServices();
  const variables = { first: PAGE_SIZE, status };
  const { data, error, loading, fetchMore, refetch } = useQuery(ORDERS_QUERY, {
    variables,
    notifyOnNetworkStatusChange: true,
  });

  const applyOrder = useCallback(
    (order: Order) => {
      client.cache.updateQuery(
        { query: ORDERS_QUERY, variables: { first: PAGE_SIZE, status } },
        (current) => {
          if (current == null) return undefined;
          const next = applyOrderToPage(current.orders, order, status);
          return next === null ? undefined : { orders: next };
        },
      );
    },
    [client, status],
  );

  // Every change the tab hears of, replayed after a reconnect, lands in the pages loaded so far.
  useEffect(() => orderEvents.onOrder(applyOrder), [orderEvents, applyOrder]);

  const orders = data?.orders;
  return (
    <section className="orders-list">
      <div className="page-head">
        <h1>Orders</h1>
        <Link className="button" to="/orders/new">
          New order
        </Link>
      </div>
      <div className="field field-inline">
        <label htmlFor="status-filter">Status</label>
        <select
          id="status-filter"
          value={status ?? ''}
          onChange={(e) => {
            const value = e.target.value;
            setParams(value === '' ? {} : { status: value });
          }}
        >
          <option value="">All statuses</option>
          {ORDER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {STATUS_LABELS[s]}
            </option>
          ))}
        </select>
      </div>
      {error !== undefined && orders === undefined ? (
        <ErrorNotice title="The orders could not be loaded.">
          <p>{problemsOf(error)[0]?.message}</p>
          <button type="button" onClick={() => void refetch()}>
            Try again
          </button>
        </ErrorNotice>
      ) : orders === undefined ? (
        <Loading label="Loading orders" />
      ) : orders.edges.length === 0 ? (
        <p className="empty">
          {status === null ? 'No orders yet.' : `No orders with status ${STATUS_LABELS[status]}.`}{' '}
          <Link to="/orders/new">Create one</Link>
        </p>
      ) : (
        <>
          <OrdersTable orders={orders.edges.map((e) => e.node)} onCancelled={applyOrder} />
          {error !== undefined ? (
            <ErrorNotice title="More orders could not be loaded.">
              {problemsOf(error)[0]?.message}
            </ErrorNotice>
          ) : null}
          {orders.pageInfo.hasNextPage ? (
            <p>
              <button
                type="button"
                className="secondary"
                disabled={loading}
                onClick={() => void fetchMore({ variables: { after: orders.pageInfo.endCursor } })}
              >
                {loading ? 'Loading…' : 'Load more'}
              </button>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}
