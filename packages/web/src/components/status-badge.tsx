import type { OrderStatus } from '@oms/order-lifecycle';
import { STATUS_LABELS } from '../lib/status-labels.js';

export function StatusBadge({ status }: { status: OrderStatus }) {
  return <span className={`badge badge-${status.toLowerCase()}`}>{STATUS_LABELS[status]}</span>;
}
