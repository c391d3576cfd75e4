import { createHash } from 'node:crypto';
import { trace } from '@opentelemetry/api';
import {
  DEFAULT_CURRENCY,
  cancelOutcome,
  followUpOf,
  orderTotal,
  validateCancellationReason,
  validateOrderDraft,
  type OrderDraft,
  type OrderStatus,
} from '@oms/order-lifecycle';
import { canAccess, type Principal } from '../auth/principal.js';
import { decodeCursor, encodeCursor } from './order-cursor.js';
import { OrderError, badInput } from './order-errors.js';
import { newOrderId, parseOrderId } from './order-ids.js';
import type { TransitionRecord } from '../observability/metrics.js';
import { traceParentOf } from '@oms/telemetry/trace-context';
import type { OrderView } from './order.model.js';
import type { OrderStore } from './order-store.js';

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface OrderPage {
  orders: OrderView[];
  cursors: string[];
  hasNextPage: boolean;
}

/** Called after a commit that left background work due now. */
export type WakeWorker = () => void;

/** Told of transitions once their transaction has committed (for metrics). */
export type TransitionObserver = (applied: readonly TransitionRecord[]) => void;

/**
 * Creates, cancels and reads orders. Input arrives unchecked; this is where it is checked. Every
 * call names who is asking: a customer acts on their own orders only, and another customer's
 * order is treated exactly like one that does not exist (NOT_FOUND, not FORBIDDEN, so ids
 * cannot be probed); an admin acts on all.
 */
export class OrdersService {
  constructor(
    private readonly store: OrderStore,
    private readonly wakeWorker: WakeWorker,
    private readonly onTransitions: TransitionObserver = () => undefined,
  ) {}

  /**
   * Stores a new order as CREATED and queues its payment, in one transaction; the payment
   * happens in the background. With an idempotency key, a repeat returns the first order; keys
   * are the customer's own, so another customer's use of the same key is a different order.
   */
  async createOrder(principal: Principal, draft: OrderDraft): Promise<OrderView> {
    const errors = validateOrderDraft(draft);
    if (errors.length > 0) throw badInput(errors, 'input');
    const currency = draft.currency ?? DEFAULT_CURRENCY;
    const items = draft.items.map(({ sku, name, quantity, unitPrice }) => ({
      sku,
      name,
      quantity,
      unitPrice,
    }));
    const key = draft.idempotencyKey ?? null;
    const requestHash =
      key === null
        ? null
        : hashRequest({ items, currency, paymentToken: draft.paymentToken ?? null });
    const id = newOrderId();
    const total = orderTotal(items);
    // One statement, atomic by itself: no transaction to open around it.
    const createdAt = await this.store.insertOrder(this.store.db, {
      id,
      currency,
      total,
      items,
      paymentToken: draft.paymentToken ?? null,
      idempotencyKey: key,
      requestHash,
      // The worker continues this trace when it pays, maybe in another process, maybe later.
      traceParent: traceParentOf(),
      customerId: principal.customerId,
    });
    if (createdAt === null) return this.replay(principal.customerId, key ?? '', requestHash);
    trace.getActiveSpan()?.setAttribute('order.id', id);
    this.onTransitions([{ from: null, to: 'CREATED' }]);
    this.wakeWorker();
    return {
      id,
      status: 'CREATED',
      items,
      total,
      currency,
      customerId: principal.customerId,
      createdAt,
      updatedAt: createdAt,
      cancellationReason: null,
      history: [{ from: null, to: 'CREATED', at: createdAt, reason: null }],
    };
  }

  private async replay(
    customerId: string,
    key: string,
    requestHash: string | null,
  ): Promise<OrderView> {
    const existing = await this.store.findByIdempotencyKey(customerId, key);
    if (existing === null) throw new Error(`idempotency key conflict without an order: ${key}`);
    if (existing.requestHash !== requestHash) {
      throw new OrderError(
        'IDEMPOTENCY_KEY_REUSED',
        'This idempotency key was already used for a different order',
        { field: 'input.idempotencyKey', orderId: existing.id },
      );
    }
    return this.mustFind(existing.id);
  }

  /**
   * Cancels a CREATED or CONFIRMED order (a cancelled one is returned unchanged) and queues the
   * release of any money its payment may have captured.
   */
  async cancelOrder(
    principal: Principal,
    rawId: string,
    reason: string | null | undefined,
  ): Promise<OrderView> {
    const id = parseOrderId(rawId);
    const errors = validateCancellationReason(reason);
    if (errors.length > 0) throw badInput(errors);
    const cancelled = await this.store.db.transaction(async (tx) => {
      const current = await this.store.lockForCancel(tx, id);
      if (current === null || !canAccess(principal, current.customerId)) throw notFound(id);
      const outcome = cancelOutcome(current.status);
      if (outcome === 'NOT_CANCELLABLE') {
        throw new OrderError(
          'ORDER_NOT_CANCELLABLE',
          `An order in status ${current.status} cannot be cancelled`,
          {
            id,
            status: current.status,
          },
        );
      }
      if (outcome === 'ALREADY_CANCELLED') return { applied: [], queued: false };
      const followUp = followUpOf('CANCEL_REQUESTED', current.status, current.paymentAttempts > 0);
      const applied = await this.store.transition(
        tx,
        { kind: 'ids', ids: [id] },
        { event: 'CANCEL_REQUESTED', from: [current.status], reason: reason ?? null, followUp },
      );
      return { applied, queued: followUp !== null };
    });
    this.onTransitions(cancelled.applied);
    if (cancelled.queued) this.wakeWorker();
    return this.mustFind(id);
  }

  /** The order with this id, or null (also when it is another customer's). */
  async findOrder(principal: Principal, rawId: string): Promise<OrderView | null> {
    const id = parseOrderId(rawId);
    const [order] = await this.store.findMany([id]);
    return order !== undefined && canAccess(principal, order.customerId) ? order : null;
  }

  /** A newest-first page of the principal's orders (an admin's: everyone's), maybe of one status. */
  async listOrders(
    principal: Principal,
    first: number | null | undefined,
    after: string | null | undefined,
    status: OrderStatus | null | undefined,
  ): Promise<OrderPage> {
    const size = first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw badInput([{ field: 'first', message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
    }
    const cursor = after === null || after === undefined ? null : decodeCursor(after);
    const customerId = principal.admin ? null : principal.customerId;
    const rows = await this.store.page(size + 1, cursor, status ?? null, customerId);
    const orders = rows.slice(0, size);
    return {
      orders,
      cursors: orders.map((o) => encodeCursor({ createdAt: o.createdAt, id: o.id })),
      hasNextPage: rows.length > size,
    };
  }

  /** Checks an id given to a subscription, and that the order exists and is the principal's. */
  async assertExists(principal: Principal, rawId: string): Promise<string> {
    const id = parseOrderId(rawId);
    const customerId = await this.store.customerOf(id);
    if (customerId === null || !canAccess(principal, customerId)) throw notFound(id);
    return id;
  }

  private async mustFind(id: string): Promise<OrderView> {
    const [order] = await this.store.findMany([id]);
    if (order === undefined) throw notFound(id);
    return order;
  }
}

function notFound(id: string): OrderError {
  return new OrderError('NOT_FOUND', `No order with id ${id}`, { id });
}

/** A stable fingerprint of what an idempotent request asked for. */
function hashRequest(request: object): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}
