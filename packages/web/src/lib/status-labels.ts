import type { OrderStatus } from '@oms/order-lifecycle';

/** How each status reads in the UI. */
export const STATUS_LABELS: Record<OrderStatus, string> = {
  CREATED: 'Created',
  CONFIRMED: 'Confirmed',
  DELIVERED: 'Delivered',
  CANCELLED: 'Cancelled',
};

const REASON_LABELS: Record<string, string> = {
  CUSTOMER_REQUEST: 'Cancelled at the customer’s request',
  PAYMENT_DECLINED: 'Payment declined',
  PAYMENT_FAILED: 'Payment could not be completed',
};

/** System reasons in words; a reason a person typed is shown as typed. */
export function reasonLabel(reason: string): string {
  return REASON_LABELS[reason] ?? reason;
}
