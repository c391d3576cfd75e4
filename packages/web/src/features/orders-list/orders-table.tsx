import { Link } from 'react-router';
import { StatusBadge } from '../../components/status-badge.js';
import { formatDateTime } from '../../lib/dates.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { formatMoney } from '../../lib/money.js';
import { CancelOrderButton } from '../../components/cancel-order/cancel-order-button.js';
import { itemsSummary } from './items-summary.js';

export function OrdersTable(props: { orders: Order[]; onCancelled: (order: Order) => void }) {
  return (
    <div className="table-scroll">
      <table className="orders-table">
        <caption>Orders</caption>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Customer</th>
            <th scope="col">Items</th>
            <th scope="col" className="num">
              Total
            </th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {props.orders.map((order) => (
            <tr key={order.id}>
              <td className="order-number">
                <Link to={`/orders/${order.id}`}>#{order.number}</Link>
              </td>
              <td data-label="Customer">{order.customer?.name ?? '—'}</td>
              <td data-label="Items">{itemsSummary(order.items)}</td>
              <td className="num">{formatMoney(order.total, order.currency)}</td>
              <td>
                <StatusBadge status={order.status} />
              </td>
              <td>
                <time dateTime={order.createdAt}>{formatDateTime(order.createdAt)}</time>
              </td>
              <td>
                <CancelOrderButton
                  orderId={order.id}
                  status={order.status}
                  label="Cancel"
                  accessibleName={`Cancel order ${order.id}`}
                  onCancelled={props.onCancelled}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
