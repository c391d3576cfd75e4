import { StatusBadge } from '../../components/status-badge.js';
import { formatDateTime } from '../../lib/dates.js';
import type { Order } from '../../lib/graphql/order.types.js';
import { formatMoney } from '../../lib/money.js';
import { reasonLabel, STATUS_LABELS } from '../../lib/status-labels.js';

type Actor = Order['history'][number]['actor'];
type Address = NonNullable<Order['shippingAddress']>;

/** Who made a history entry, as a sentence fragment ("by customer demo-customer"). */
export function actorLabel(actor: Actor): string {
  switch (actor.kind) {
    case 'CUSTOMER':
      return actor.id === null ? 'by customer' : `by customer ${actor.id}`;
    case 'ADMIN':
      return actor.id === null ? 'by admin' : `by admin ${actor.id}`;
    case 'PAYMENT_PROVIDER':
      return 'by payment provider';
    case 'SYSTEM':
      return 'by system';
  }
}

// The browser knows every ISO 3166-1 region's name; no list shipped in the bundle for display.
const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** The address lines as printed on a label, country by name. */
export function addressLines(address: Address): string[] {
  const cityLine = [address.postalCode, address.city].join(' ');
  return [
    address.line1,
    address.line2,
    cityLine,
    address.region,
    regionNames.of(address.country) ?? address.country,
  ].filter((line): line is string => line !== null && line !== '');
}

/** Status, customer, address, items, total and the timeline of one order. */
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
        <div>
          <dt>Customer</dt>
          <dd>
            {order.customer === null ? (
              'Not given'
            ) : (
              <>
                {order.customer.name}
                <br />
                <a href={`mailto:${order.customer.email}`}>{order.customer.email}</a>
              </>
            )}
          </dd>
        </div>
        <div>
          <dt>Shipping address</dt>
          <dd>
            {order.shippingAddress === null ? (
              'Not given'
            ) : (
              <address>
                {addressLines(order.shippingAddress).map((line, i) => (
                  <span key={i} className="address-line">
                    {line}
                    <br />
                  </span>
                ))}
              </address>
            )}
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
            <time dateTime={step.at}>{formatDateTime(step.at)}</time>{' '}
            <span className="actor">{actorLabel(step.actor)}</span>
            {step.reason === null ? null : (
              <span className="reason"> · {reasonLabel(step.reason)}</span>
            )}
          </li>
        ))}
      </ol>
    </>
  );
}
