import { useQuery } from '@apollo/client/react';
import { lazy, Suspense, useCallback, useEffect, useMemo } from 'react';
import { Link } from 'react-router';
import { ErrorNotice } from '../../components/error-notice.js';
import { Loading } from '../../components/loading.js';
import { StatusBadge } from '../../components/status-badge.js';
import { useDocumentTitle } from '../../components/use-document-title.js';
import { useAppServices } from '../../lib/app-services.js';
import { problemsOf } from '../../lib/graphql/api-problem.js';
import { formatMoney } from '../../lib/money.js';
import { STATUS_LABELS } from '../../lib/status-labels.js';
import { ORDER_STATS_QUERY } from './dashboard.documents.js';
import { minuteBars, summarizeMinutes } from './orders-per-minute.js';
import { useThrottled } from './use-throttled.js';

const OrdersPerMinuteChart = lazy(() => import('./orders-per-minute-chart.js'));

/** orderStats is not pushed: each order event asks for it again, at most this often. */
const REFETCH_EVERY_MS = 1_000;

export function DashboardPage() {
  useDocumentTitle('Dashboard');
  const { orderEvents } = useAppServices();
  const { data, error, refetch } = useQuery(ORDER_STATS_QUERY, {
    fetchPolicy: 'cache-and-network',
  });
  const refresh = useCallback(() => void refetch().catch(() => undefined), [refetch]);
  const throttledRefresh = useThrottled(refresh, REFETCH_EVERY_MS);
  useEffect(() => orderEvents.onOrder(throttledRefresh), [orderEvents, throttledRefresh]);
  // The per-minute window moves on even when nothing happens.
  useEffect(() => {
    const timer = setInterval(refresh, 60_000);
    return () => {
      clearInterval(timer);
    };
  }, [refresh]);

  const stats = data?.orderStats;
  const bars = useMemo(() => minuteBars(stats?.createdPerMinute ?? []), [stats]);

  return (
    <section className="dashboard">
      <div className="page-head">
        <h1>Dashboard</h1>
        <Link className="button" to="/orders/new">
          New order
        </Link>
      </div>
      {error !== undefined && stats === undefined ? (
        <ErrorNotice title="The figures could not be loaded.">
          <p>{problemsOf(error)[0]?.message}</p>
          <button type="button" onClick={refresh}>
            Try again
          </button>
        </ErrorNotice>
      ) : stats === undefined ? (
        <Loading label="Loading the figures" />
      ) : (
        <div className="dashboard-grid">
          <section aria-labelledby="by-status" className="card">
            <h2 id="by-status">Orders by status</h2>
            <dl className="figures" aria-live="polite">
              {stats.byStatus.map(({ status, count }) => (
                <div key={status}>
                  <dt>
                    <StatusBadge status={status} />
                  </dt>
                  <dd>
                    <Link
                      to={`/orders?status=${status}`}
                      aria-label={`${STATUS_LABELS[status]}: ${count}`}
                    >
                      {count}
                    </Link>
                  </dd>
                </div>
              ))}
            </dl>
          </section>
          <section aria-labelledby="revenue" className="card">
            <h2 id="revenue">Revenue</h2>
            <p className="hint">Confirmed and delivered orders, per currency.</p>
            {stats.revenue.length === 0 ? (
              <p>No revenue yet.</p>
            ) : (
              <dl className="figures" aria-live="polite">
                {stats.revenue.map(({ currency, amount }) => (
                  <div key={currency}>
                    <dt>{currency}</dt>
                    <dd>{formatMoney(amount, currency)}</dd>
                  </div>
                ))}
              </dl>
            )}
          </section>
          <section aria-labelledby="per-minute" className="card card-wide">
            <h2 id="per-minute">Orders per minute, last hour</h2>
            <figure>
              <Suspense fallback={<Loading label="Loading the chart" />}>
                <OrdersPerMinuteChart bars={bars} />
              </Suspense>
              <figcaption id="per-minute-summary">
                {summarizeMinutes(stats.createdPerMinute)}
              </figcaption>
            </figure>
            <details>
              <summary>The figures as a table</summary>
              <div className="table-scroll">
                <table>
                  <caption>Orders created per minute</caption>
                  <thead>
                    <tr>
                      <th scope="col">Minute</th>
                      <th scope="col" className="num">
                        Orders
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {bars.map((bar) => (
                      <tr key={bar.minute}>
                        <th scope="row">
                          <time dateTime={bar.minute}>{bar.label}</time>
                        </th>
                        <td className="num">{bar.count}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          </section>
        </div>
      )}
    </section>
  );
}
