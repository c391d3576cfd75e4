import { createHash } from 'node:crypto';
import {
  DEFAULT_CURRENCY,
  DEFAULT_ORDER_SORT,
  FOLLOW_UP_NAMES,
  ORDER_START,
  customerMaySee,
  cancelOutcome,
  orderTotal,
  requesterKind,
  validateCancellationReason,
  validateExpectedVersion,
  validateNoteText,
  validateOrderDraft,
  validateOrderQuery,
  type AddressDraft,
  type NoteVisibility,
  type OrderDraft,
  type OrderFilter,
  type OrderQuery,
  type OrderSort,
  type OrderSortField,
  type OrderStatus,
  type QueryNaming,
} from '@oms/order-lifecycle';
import { decodeCursor, encodeCursor, listBinding, type OrderPosition } from './order-cursor.js';
import { OrderError, badInput } from './order-errors.js';
import { newOrderId, parseOrderId } from './order-ids.js';
import type {
  OrderCancellation,
  OrderExportRow,
  OrderNotes,
  OrderRepository,
  TransitionObserver,
} from './order-ports.js';
import type { ActorView, AddressView, NoteView, OrderView } from './order.model.js';
import { canAccess, type Principal } from './principal.js';

/** Largest page a client may ask for. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

export interface OrderPage {
  orders: OrderView[];
  cursors: string[];
  hasNextPage: boolean;
}

/** What a client asks of the list. */
export interface ListRequest {
  first?: number | null;
  after?: string | null;
  /** One status, as older clients ask. */
  status?: OrderStatus | null;
  filter?: OrderFilter | null;
  search?: string | null;
  orderBy?: OrderSort | null;
}

/** Where an order is in a list sorted by `field`. */
function positionOf(
  order: Pick<OrderView, 'id' | 'createdAt' | 'updatedAt' | 'total' | 'number'>,
  field: OrderSortField,
): OrderPosition {
  const value = {
    CREATED_AT: order.createdAt,
    UPDATED_AT: order.updatedAt,
    TOTAL: order.total,
    NUMBER: order.number,
  }[field];
  return { value, id: order.id };
}

/** Called after a commit that left background work due now. */
export type WakeWorker = () => void;

/** What the service needs from the request it serves, kept out of its arguments. */
export interface RequestScope {
  /** W3C traceparent of the active request, stored so the order's background work joins it. */
  traceParent(): string | null;
  /** Tells the active request's trace which order it made. */
  tagOrder(id: string): void;
}

const NO_SCOPE: RequestScope = { traceParent: () => null, tagOrder: () => undefined };

export interface OrdersServiceDependencies {
  repository: OrderRepository;
  cancellation: OrderCancellation;
  /** Notes on orders; without them, adding or reading a note fails. */
  notes?: OrderNotes;
  /** Called after a commit that left background work due now. */
  wakeWorker?: WakeWorker;
  onTransitions?: TransitionObserver;
  scope?: RequestScope;
}

/**
 * Creates, cancels and reads orders. Input arrives unchecked; this is where it is checked. Every
 * call names who is asking: a customer acts on their own orders only, and another customer's
 * order is treated exactly like one that does not exist (NOT_FOUND, not FORBIDDEN, so ids
 * cannot be probed); an admin acts on all.
 */
export class OrdersService {
  private readonly repository: OrderRepository;
  private readonly cancellation: OrderCancellation;
  private readonly notes: OrderNotes | null;
  private readonly wakeWorker: WakeWorker;
  private readonly onTransitions: TransitionObserver;
  private readonly scope: RequestScope;

  constructor(dependencies: OrdersServiceDependencies) {
    this.repository = dependencies.repository;
    this.cancellation = dependencies.cancellation;
    this.notes = dependencies.notes ?? null;
    this.wakeWorker = dependencies.wakeWorker ?? (() => undefined);
    this.onTransitions = dependencies.onTransitions ?? (() => undefined);
    this.scope = dependencies.scope ?? NO_SCOPE;
  }

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
    const customer =
      draft.customer === undefined || draft.customer === null
        ? null
        : { name: draft.customer.name, email: draft.customer.email };
    const shippingAddress =
      draft.shippingAddress === undefined || draft.shippingAddress === null
        ? null
        : addressOf(draft.shippingAddress);
    const key = draft.idempotencyKey ?? null;
    const requestHash =
      key === null
        ? null
        : hashRequest({
            items,
            currency,
            paymentToken: draft.paymentToken ?? null,
            // Only when given, so a key used before orders had them still replays.
            ...(customer === null ? {} : { customer }),
            ...(shippingAddress === null ? {} : { shippingAddress }),
          });
    const id = newOrderId();
    const total = orderTotal(items);
    const createdBy = requesterOf(principal);
    const created = await this.repository.insert({
      id,
      customerId: principal.customerId,
      currency,
      total,
      items,
      paymentToken: draft.paymentToken ?? null,
      idempotencyKey: key,
      requestHash,
      // The worker continues this trace when it pays, maybe in another process, maybe later.
      traceParent: this.scope.traceParent(),
      customer,
      shippingAddress,
      createdBy,
    });
    if (created === null) return this.replay(principal.customerId, key ?? '', requestHash);
    const { createdAt, number } = created;
    this.scope.tagOrder(id);
    this.onTransitions([{ from: null, to: ORDER_START.status }]);
    this.wakeWorker();
    return {
      id,
      number,
      version: 1,
      status: ORDER_START.status,
      items,
      total,
      currency,
      customerId: principal.customerId,
      createdAt,
      updatedAt: createdAt,
      cancellationReason: null,
      customer,
      shippingAddress,
      // Written with the order: its payment, due at once.
      nextAction: {
        kind: FOLLOW_UP_NAMES[ORDER_START.followUp],
        dueAt: createdAt,
        attempts: 0,
        lastError: null,
      },
      history: [
        { from: null, to: ORDER_START.status, at: createdAt, reason: null, actor: createdBy },
      ],
    };
  }

  private async replay(
    customerId: string,
    key: string,
    requestHash: string | null,
  ): Promise<OrderView> {
    const existing = await this.repository.findByIdempotencyKey(customerId, key);
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
   * release of any money its payment may have captured. With `expectedVersion`, only while the
   * order is still at that version: once it has moved on, nothing changes and the answer is
   * VERSION_CONFLICT with where it is now.
   */
  async cancelOrder(
    principal: Principal,
    rawId: string,
    reason: string | null | undefined,
    expectedVersion: number | null | undefined = null,
  ): Promise<OrderView> {
    const id = parseOrderId(rawId);
    const errors = [
      ...validateCancellationReason(reason),
      ...validateExpectedVersion(expectedVersion),
    ];
    if (errors.length > 0) throw badInput(errors);
    const expected = expectedVersion ?? null;
    const result = await this.cancellation.cancel({
      id,
      customerId: principal.admin ? null : principal.customerId,
      reason: reason ?? null,
      actor: requesterOf(principal),
      expectedVersion: expected,
    });
    if (!result.found) throw notFound(id);
    if (result.applied === null && expected !== null && result.version !== expected) {
      throw new OrderError(
        'VERSION_CONFLICT',
        `The order has moved on: it is at version ${result.version} (${result.status}), not ${expected}`,
        { id, currentVersion: result.version, status: result.status },
      );
    }
    if (result.applied === null && cancelOutcome(result.status) === 'NOT_CANCELLABLE') {
      throw new OrderError(
        'ORDER_NOT_CANCELLABLE',
        `An order in status ${result.status} cannot be cancelled`,
        { id, status: result.status },
      );
    }
    if (result.applied !== null) this.onTransitions([result.applied]);
    if (result.releaseQueued) this.wakeWorker();
    return this.mustFind(id);
  }

  /** The order with this id, or null (also when it is another customer's). */
  async findOrder(principal: Principal, rawId: string): Promise<OrderView | null> {
    const id = parseOrderId(rawId);
    const [order] = await this.repository.findMany([id]);
    return order !== undefined && canAccess(principal, order.customerId) ? order : null;
  }

  /** The order with this number, or null (also when it is another customer's). */
  async findOrderByNumber(principal: Principal, number: number): Promise<OrderView | null> {
    const order = await this.repository.findByNumber(number);
    return order !== null && canAccess(principal, order.customerId) ? order : null;
  }

  /**
   * Checks a list query from the outside world for this caller: every broken rule, each naming
   * its part (`filter.totalMin` in GraphQL, `totalMin` in a URL), as one BAD_USER_INPUT.
   */
  checkListQuery(principal: Principal, query: OrderQuery, naming: QueryNaming): void {
    const errors = validateOrderQuery(query, { admin: principal.admin, naming });
    if (errors.length > 0) throw badInput(errors);
  }

  /**
   * A page of the principal's orders (an admin's: everyone's) that match the query, in its
   * order. `status` is the argument older clients send; with `filter.status` too it is refused.
   */
  async listOrders(principal: Principal, request: ListRequest): Promise<OrderPage> {
    const { first, after, status } = request;
    const size = first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw badInput([{ field: 'first', message: `must be between 1 and ${MAX_PAGE_SIZE}` }]);
    }
    if (status !== null && status !== undefined && (request.filter?.status?.length ?? 0) > 0) {
      throw badInput([
        { field: 'status', message: 'give either status or filter.status, not both' },
      ]);
    }
    const filter = { ...request.filter };
    if (status !== null && status !== undefined) filter.status = [status];
    const query: OrderQuery = {
      filter,
      search: request.search ?? null,
      orderBy: request.orderBy ?? DEFAULT_ORDER_SORT,
    };
    this.checkListQuery(principal, query, 'graphql');
    const scope = principal.admin ? null : principal.customerId;
    const list = listBinding(query, scope);
    const position = after === null || after === undefined ? null : decodeCursor(after, list);
    const rows = await this.repository.page({
      limit: size + 1,
      query,
      after: position,
      customerId: scope,
    });
    const orders = rows.slice(0, size);
    return {
      orders,
      cursors: orders.map((o) => encodeCursor(positionOf(o, query.orderBy.field), list)),
      hasNextPage: rows.length > size,
    };
  }

  /**
   * Every order of the principal's that matches the query (checked with `checkListQuery`), in
   * its order, `batchSize` at a time: each batch is read when the one before has been consumed,
   * so memory stays flat however many orders there are.
   */
  async *exportOrders(
    principal: Principal,
    query: OrderQuery,
    batchSize: number,
  ): AsyncGenerator<OrderExportRow[]> {
    const scope = principal.admin ? null : principal.customerId;
    let after: OrderPosition | null = null;
    for (;;) {
      const rows = await this.repository.exportPage({
        limit: batchSize,
        query,
        after,
        customerId: scope,
      });
      if (rows.length > 0) yield rows;
      const last = rows.at(-1);
      if (rows.length < batchSize || last === undefined) return;
      after = positionOf(last, query.orderBy.field);
    }
  }

  /**
   * Adds a note to an order (PUBLIC by default). A customer adds PUBLIC notes to their own orders
   * only; only admins add INTERNAL ones. Another customer's order is NOT_FOUND.
   */
  async addNote(
    principal: Principal,
    rawOrderId: string,
    text: string,
    visibility: NoteVisibility | null | undefined,
  ): Promise<NoteView> {
    const orderId = parseOrderId(rawOrderId, 'orderId');
    const trimmed = typeof text === 'string' ? text.trim() : text;
    const errors = validateNoteText(trimmed);
    if (errors.length > 0) throw badInput(errors);
    const wanted = visibility ?? 'PUBLIC';
    if (!principal.admin && !customerMaySee(wanted)) {
      throw new OrderError('FORBIDDEN', `Only admins add ${wanted} notes`, {
        field: 'visibility',
      });
    }
    const note = await this.notesStore().add({
      id: newOrderId(),
      orderId,
      customerId: principal.admin ? null : principal.customerId,
      text: trimmed,
      visibility: wanted,
      author: requesterOf(principal),
    });
    if (note === null) throw notFound(orderId);
    return note;
  }

  /**
   * The notes of an order the principal has been shown, oldest first; INTERNAL ones for admins
   * only. Calls made together are read together.
   */
  notesOf(principal: Principal, order: OrderView): Promise<NoteView[]> {
    if (!canAccess(principal, order.customerId)) return Promise.resolve([]);
    return this.notesStore().listFor(order.id, principal.admin);
  }

  private notesStore(): OrderNotes {
    if (this.notes === null) throw new Error('OrdersService was made without notes');
    return this.notes;
  }

  /** Checks an id given to a subscription, and that the order exists and is the principal's. */
  async assertExists(principal: Principal, rawId: string): Promise<string> {
    const id = parseOrderId(rawId);
    const customerId = await this.repository.customerOf(id);
    if (customerId === null || !canAccess(principal, customerId)) throw notFound(id);
    return id;
  }

  private async mustFind(id: string): Promise<OrderView> {
    const [order] = await this.repository.findMany([id]);
    if (order === undefined) throw notFound(id);
    return order;
  }
}

/** Who is asking, as a transition records them. */
function requesterOf(principal: Principal): ActorView {
  return { kind: requesterKind(principal.admin), id: principal.customerId };
}

/** A checked address as stored: optional lines left empty are absent. */
function addressOf(draft: AddressDraft): AddressView {
  const optional = (line: string | null | undefined) =>
    line === undefined || line === null || line.trim() === '' ? null : line;
  return {
    line1: draft.line1,
    line2: optional(draft.line2),
    city: draft.city,
    postalCode: draft.postalCode,
    region: optional(draft.region),
    country: draft.country,
  };
}

function notFound(id: string): OrderError {
  return new OrderError('NOT_FOUND', `No order with id ${id}`, { id });
}

/** A stable fingerprint of what an idempotent request asked for. */
function hashRequest(request: object): string {
  return createHash('sha256').update(JSON.stringify(request)).digest('hex');
}
