import type { OrderSortField } from '@oms/order-lifecycle';
import { Link } from 'react-router';
import { StatusBadge } from '../../components/status-badge.js';
import { formatDateTime } from '../../lib/dates.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { formatMoney } from '../../lib/money.js';
import { CancelOrderButton } from '../../components/cancel-order/cancel-order-button.js';
import { itemsSummary } from './items-summary.js';
import { ariaSort, sortedBy, type ListView } from './list-view.js';

/**
 * A column header that sorts the list: a button inside `<th aria-sort>`; a click sorts by that
 * column, or turns the direction round when it is already the one sorted by.
 */
function SortHeader(props: {
  field: OrderSortField;
  label: string;
  className?: string;
  view: ListView;
  onSort: (view: ListView) => void;
}) {
  const sort = ariaSort(props.view, props.field);
  return (
    <th
      scope="col"
      className={props.className}
      aria-sort={sort === 'none' ? undefined : sort}
      data-sort={sort}
    >
      <button
        type="button"
        className="sort-button"
        onClick={() => {
          props.onSort(sortedBy(props.view, props.field));
        }}
      >
        {props.label}
      </button>
    </th>
  );
}

export function OrdersTable(props: {
  orders: Order[];
  /** Another view is loading: these rows are the previous one's. */
  busy?: boolean;
  view: ListView;
  onSort: (view: ListView) => void;
  onCancelled: (order: Order) => void;
}) {
  const sortable = { view: props.view, onSort: props.onSort };
  return (
    <div
      className="table-scroll"
      tabIndex={0}
      role="region"
      aria-label="Orders table"
      aria-busy={props.busy === true}
    >
      <table className="orders-table">
        <caption>Orders</caption>
        <thead>
          <tr>
            <SortHeader field="NUMBER" label="Order" {...sortable} />
            <th scope="col">Customer</th>
            <th scope="col">Items</th>
            <SortHeader field="TOTAL" label="Total" className="num" {...sortable} />
            <th scope="col">Status</th>
            <SortHeader field="CREATED_AT" label="Created" {...sortable} />
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
