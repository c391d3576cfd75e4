import type { OrderStatus } from '@oms/order-lifecycle';

/** HEALTHY: the last attempt succeeded (or none failed yet); FAILING: it did not; DISABLED: off. */
export const WEBHOOK_ENDPOINT_STATUSES = ['HEALTHY', 'FAILING', 'DISABLED'] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

export const WEBHOOK_DELIVERY_STATUSES = ['PENDING', 'DELIVERED', 'FAILED'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/** An endpoint as the API shows it: never its secrets. */
export interface WebhookEndpointView {
  id: string;
  url: string;
  description: string | null;
  /** The `to` statuses sent; null: every status. */
  events: OrderStatus[] | null;
  enabled: boolean;
  status: WebhookEndpointStatus;
  createdAt: Date;
  lastDeliveryAt: Date | null;
}

/** One event for one endpoint and how sending it went. */
export interface WebhookDeliveryView {
  /** The `webhook-id` header, the same on every attempt. */
  id: string;
  eventCursor: string;
  orderId: string;
  status: WebhookDeliveryStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
}

/** The status an endpoint shows, from what is stored about it. */
export function endpointStatus(enabled: boolean, failing: boolean): WebhookEndpointStatus {
  if (!enabled) return 'DISABLED';
  return failing ? 'FAILING' : 'HEALTHY';
}
