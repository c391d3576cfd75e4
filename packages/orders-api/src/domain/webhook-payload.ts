import type { OrderStatus } from '@oms/order-lifecycle';
import type { OrderView } from './order.model.js';

/** One transition, as a webhook tells it. */
export interface WebhookEvent {
  cursor: string;
  orderId: string;
  version: number;
  from: OrderStatus | null;
  to: OrderStatus;
  at: Date;
  reason: string | null;
}

/**
 * The request body of an event: `{type, timestamp, data}` as Standard Webhooks suggests, `data`
 * the event with the order as of it, with GraphQL's field names and DateTimes as ISO strings, so
 * a receiver parses it as it would the API's answer. The same text on every attempt.
 */
export function webhookBody(event: WebhookEvent, order: OrderView): string {
  return JSON.stringify({
    type: `order.${event.to.toLowerCase()}`,
    timestamp: event.at.toISOString(),
    data: {
      cursor: event.cursor,
      orderId: event.orderId,
      version: event.version,
      from: event.from,
      to: event.to,
      at: event.at.toISOString(),
      reason: event.reason,
      order: {
        id: order.id,
        status: order.status,
        items: order.items.map(({ sku, name, quantity, unitPrice }) => ({
          sku,
          name,
          quantity,
          unitPrice,
        })),
        total: order.total,
        currency: order.currency,
        customerId: order.customerId,
        createdAt: order.createdAt.toISOString(),
        updatedAt: order.updatedAt.toISOString(),
        cancellationReason: order.cancellationReason,
        history: order.history.map((h) => ({
          from: h.from,
          to: h.to,
          at: h.at.toISOString(),
          reason: h.reason,
        })),
      },
    },
  });
}
