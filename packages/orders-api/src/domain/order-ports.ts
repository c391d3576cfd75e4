import type { NoteVisibility, OrderQuery, OrderStatus } from '@oms/order-lifecycle';
import type { OrderPosition } from './order-cursor.js';
import type {
  ActorView,
  AddressView,
  NoteView,
  CustomerView,
  OrderItemView,
  OrderView,
  TransitionRecord,
} from './order.model.js';

/** A new order as the service hands it to storage: checked, priced and identified. */
export interface NewOrder {
  id: string;
  customerId: string;
  currency: string;
  total: number;
  items: readonly OrderItemView[];
  paymentToken: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  /** W3C traceparent of the creating request, so background work continues its trace. */
  traceParent: string | null;
  /** None when absent. */
  customer?: CustomerView | null;
  /** None when absent. */
  shippingAddress?: AddressView | null;
  /** Who created it; absent: its customer. */
  createdBy?: ActorView;
}

/** What storing a new order gave it. */
export interface CreatedOrder {
  createdAt: Date;
  number: number;
}

/**
 * What a cancel came to: no such order (for this caller), or its status and version now and the
 * transition (null when none was made).
 */
export type CancelResult =
  | { found: false }
  | {
      found: true;
      status: OrderStatus;
      version: number;
      applied: AppliedTransition | null;
      releaseQueued: boolean;
    };

/** A request to cancel an order. */
export interface CancelRequest {
  id: string;
  /** Only this customer's order; null: any customer's. */
  customerId: string | null;
  reason: string | null;
  /** Who is cancelling. */
  actor: ActorView;
  /** Cancel only while the order is at this version (null: whatever its version). */
  expectedVersion: number | null;
}

/** A transition that was committed. */
export interface AppliedTransition extends TransitionRecord {
  id: string;
  from: OrderStatus;
  version: number;
  at: Date;
}

/** One page of a list: its query (checked), and where the previous page ended. */
export interface OrderPageQuery {
  limit: number;
  query: OrderQuery;
  after: OrderPosition | null;
  /** Only this customer's orders; null: every customer's. */
  customerId: string | null;
}

/** A row of the CSV export: what a spreadsheet needs of an order. */
export interface OrderExportRow {
  id: string;
  number: number;
  status: OrderStatus;
  createdAt: Date;
  updatedAt: Date;
  customerName: string | null;
  customerEmail: string | null;
  currency: string;
  total: number;
  items: { sku: string; name: string; quantity: number }[];
  shipCountry: string | null;
}

/**
 * What the orders use cases need from storage. Each method is atomic on its own, so the domain
 * never holds a transaction open.
 */
export interface OrderRepository {
  /**
   * Stores a new order in its initial state with its first job; null when the customer's
   * idempotency key is already taken (nothing is written then).
   */
  insert(order: NewOrder): Promise<CreatedOrder | null>;
  /** The customer's order holding an idempotency key, with the hash of the request that made it. */
  findByIdempotencyKey(
    customerId: string,
    key: string,
  ): Promise<{ id: string; requestHash: string | null } | null>;
  /** Orders with items and history, in the order of `ids` (missing ones skipped). */
  findMany(ids: readonly string[]): Promise<OrderView[]>;
  /** The order with this number, or null. */
  findByNumber(number: number): Promise<OrderView | null>;
  /** One page of a filtered, searched and sorted list (`limit` rows at most). */
  page(query: OrderPageQuery): Promise<OrderView[]>;
  /** The same rows as `page`, with only what the CSV export writes. */
  exportPage(query: OrderPageQuery): Promise<OrderExportRow[]>;
  /** Whose order this is, or null when there is no such order. */
  customerOf(id: string): Promise<string | null>;
}

/** The transitions the use cases ask for (the worker applies the others). */
export interface OrderCancellation {
  /**
   * Cancels the order when the lifecycle allows it (and it is at the expected version, when one
   * is given), queueing the release of any money a payment call may have captured; the check
   * and the change are one statement.
   */
  cancel(request: CancelRequest): Promise<CancelResult>;
}

/** Told of transitions once their transaction has committed (for metrics). */
export type TransitionObserver = (applied: readonly TransitionRecord[]) => void;

/** A note to add to an order, checked. */
export interface NewNote {
  id: string;
  orderId: string;
  /** Only to this customer's order; null: to any customer's. */
  customerId: string | null;
  text: string;
  visibility: NoteVisibility;
  author: ActorView;
}

/** Notes on orders. */
export interface OrderNotes {
  /** Adds the note; null when there is no such order (for this customer). */
  add(note: NewNote): Promise<NoteView | null>;
  /**
   * An order's notes, oldest first, INTERNAL ones only with `includeInternal`. Calls made
   * together are answered by one read.
   */
  listFor(orderId: string, includeInternal: boolean): Promise<NoteView[]>;
}
