import { useApolloClient, useQuery } from '@apollo/client/react';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { ErrorNotice } from '../../components/error-notice.js';
import { Loading } from '../../components/loading.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { peekClaims, readAccessToken } from '../../lib/auth/access-token.js';
import { problemsOf } from '../../lib/graphql/api-problem.js';
import { useAppServices } from '../../lib/app-services.js';
import { ORDERS_QUERY } from '../../lib/graphql/order.documents.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { DownloadCsvButton } from './download-csv-button.js';
import {
  isDefaultView,
  listViewParams,
  ordersQueryVariables,
  readListView,
  searchedFor,
  type ListView,
} from './list-view.js';
import { OrderFilters } from './order-filters.js';
import { applyOrderToPage } from './orders-page.js';
import { OrdersTable } from './orders-table.js';
import { SearchBox } from './search-box.js';

export const PAGE_SIZE = 20;

/**
 * Whether the user may filter by customer. Without a token orders-api runs without access
 * control and the caller is an admin; with one, the token says (the server checks it anyway).
 */
function isAdmin(): boolean {
  const token = readAccessToken();
  return token === null || peekClaims(token)?.admin === true;
}

export function OrdersListPage() {
  useDocumentTitle('Orders');
  const [params, setParams] = useSearchParams();
  const query = params.toString();
  const [admin] = useState(isAdmin);
  // One object per query string, so the forms can tell a new view from a re-render.
  const { view, ignored } = useMemo(
    () => readListView(new URLSearchParams(query), { admin }),
    [query, admin],
  );
  const viewParams = useMemo(() => listViewParams(view), [view]);
  const variables = useMemo(() => ({ first: PAGE_SIZE, ...ordersQueryVariables(view) }), [view]);
  const client = useApolloClient();
  const { orderEvents } = useAppServices();
  const { data, previousData, error, loading, fetchMore, refetch } = useQuery(ORDERS_QUERY, {
    variables,
    // Each view is its own list (see the cache's keyArgs); one seen before is shown at once
    // and read again, from its first page, since events for it were not applied meanwhile.
    fetchPolicy: 'cache-and-network',
    nextFetchPolicy: 'cache-first',
    notifyOnNetworkStatusChange: true,
  });

  const setView = useCallback(
    (next: ListView, options?: { replace: boolean }) => {
      setParams(listViewParams(next), options);
    },
    [setParams],
  );
  const onSearch = useCallback(
    (text: string) => {
      const next = searchedFor(view, text);
      // Refining a search as it is typed replaces the entry, so Back leaves the search rather
      // than stepping through "lam", "lamp"; starting or ending one is a step of its own.
      setView(next, { replace: view.search !== null && next.search !== null });
    },
    [setView, view],
  );

  const applyOrder = useCallback(
    (order: Order) => {
      client.cache.updateQuery({ query: ORDERS_QUERY, variables }, (current) => {
        if (current == null) return undefined;
        const next = applyOrderToPage(current.orders, order, view);
        return next === null ? undefined : { orders: next };
      });
    },
    [client, variables, view],
  );

  // Every change the tab hears of, replayed after a reconnect, lands in the pages loaded so far.
  useEffect(() => orderEvents.onOrder(applyOrder), [orderEvents, applyOrder]);

  // While another view loads, the last one stays on screen (marked busy), so the header or
  // button just used keeps its place and focus.
  const stale = data === undefined && loading && previousData !== undefined;
  const orders = (stale ? previousData : data)?.orders;
  return (
    <section className="orders-list">
      <div className="page-head">
        <h1>Orders</h1>
        <Link className="button" to="/orders/new">
          New order
        </Link>
      </div>
      <SearchBox value={view.search?.trim() ?? ''} onSearch={onSearch} />
      <OrderFilters view={view} admin={admin} onChange={setView} />
      {ignored.length > 0 ? (
        <p className="hint" role="note">
          Part of this link was left out: {ignored.map((e) => `${e.field} ${e.message}`).join('; ')}
          .
        </p>
      ) : null}
      <DownloadCsvButton params={viewParams} />
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
        isDefaultView(view) ? (
          <p className="empty">
            No orders yet. <Link to="/orders/new">Create one</Link>
          </p>
        ) : (
          <p className="empty">No orders match this search and these filters.</p>
        )
      ) : (
        <>
          {stale ? <Loading label="Loading orders" /> : null}
          <OrdersTable
            orders={orders.edges.map((e) => e.node)}
            busy={stale}
            view={view}
            onSort={setView}
            onCancelled={applyOrder}
          />
          {error !== undefined ? (
            <ErrorNotice title="More orders could not be loaded.">
              {problemsOf(error)[0]?.message}
            </ErrorNotice>
          ) : null}
          {orders.pageInfo.hasNextPage && !stale ? (
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
