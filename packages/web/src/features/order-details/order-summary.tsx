import { StatusBadge } from '../../components/status-badge.js';
import { formatDateTime } from '../../lib/dates.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { formatMoney } from '../../lib/money.js';
import { reasonLabel, STATUS_LABELS } from '../../lib/status-labels.js';

/** Status, items, total and the timeline of one order. */
export function OrderSummary({ order }: { order: Order }) {
  return (
    <>
      <dl className="facts">
        <div>
          <dt>Status</dt>
          <dd>
            <output
              aria-label="Order status"
              aria-live="polite"
              className={`badge badge-${order.status.toLowerCase()}`}
            >
              {STATUS_LABELS[order.status]}
            </output>
          </dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd>{formatMoney(order.total, order.currency)}</dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>
            <time dateTime={order.createdAt}>{formatDateTime(order.createdAt)}</time>
          </dd>
        </div>
      </dl>
      {order.cancellationReason === null ? null : (
        <p className="cancellation">
          Cancellation reason: <strong>{reasonLabel(order.cancellationReason)}</strong>
        </p>
      )}
      <div className="table-scroll">
        <table>
          <caption>Items</caption>
          <thead>
            <tr>
              <th scope="col">SKU</th>
              <th scope="col">Name</th>
              <th scope="col" className="num">
                Quantity
              </th>
              <th scope="col" className="num">
                Unit price
              </th>
              <th scope="col" className="num">
                Line total
              </th>
            </tr>
          </thead>
          <tbody>
            {order.items.map((item, i) => (
              <tr key={`${item.sku}-${i}`}>
                <td>{item.sku}</td>
                <td>{item.name}</td>
                <td className="num">{item.quantity}</td>
                <td className="num">{formatMoney(item.unitPrice, order.currency)}</td>
                <td className="num">
                  {formatMoney(item.quantity * item.unitPrice, order.currency)}
                </td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={4}>
                Total
              </th>
              <td className="num">{formatMoney(order.total, order.currency)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <h2 id="history-heading">History</h2>
      <ol className="timeline" aria-labelledby="history-heading">
        {order.history.map((step, i) => (
          <li key={i}>
            <StatusBadge status={step.to} />{' '}
            <time dateTime={step.at}>{formatDateTime(step.at)}</time>
            {step.reason === null ? null : (
              <span className="reason"> · {reasonLabel(step.reason)}</span>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}
