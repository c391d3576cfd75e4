import { expect } from '@playwright/test';

export type OrderStatus = 'CREATED' | 'CONFIRMED' | 'DELIVERED' | 'CANCELLED';

export interface OrderItem {
  sku: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

export interface Order {
  id: string;
  number: number;
  status: OrderStatus;
  total: number;
  currency: string;
  createdAt: string;
  cancellationReason: string | null;
  items: OrderItem[];
  history: { from: OrderStatus | null; to: OrderStatus; at: string; reason: string | null }[];
}

export interface NewOrder {
  items?: OrderItem[];
  currency?: string;
  /** `tok_approve`, `tok_decline`, HELD_PAYMENT_TOKEN (stack.ts), or none: random. */
  paymentToken?: string;
}

/** A GraphQL error as orders-api answers it. */
export interface GraphQLError {
  message: string;
  extensions?: { code?: string };
}

/** Thrown when orders-api answers an operation with errors. */
export class OrdersApiError extends Error {
  constructor(readonly errors: GraphQLError[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
    this.name = 'OrdersApiError';
  }

  get code(): string | undefined {
    return this.errors[0]?.extensions?.code;
  }
}

const ORDER_FIELDS = `
  id number status total currency createdAt cancellationReason
  items { sku name quantity unitPrice }
  history { from to at reason }
`;

/** Two mugs at 12.50: a total of 25.00. */
export const MUGS: OrderItem[] = [{ sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250 }];

/**
 * orders-api over plain HTTP, for a test's own data: it makes the orders a test looks at, and
 * checks what the UI did, without going through the UI.
 */
export class OrdersApi {
  /**
   * `baseUrl`: orders-api without a path; GraphQL is at `/graphql`. `token`: a bearer token,
   * for an orders-api that runs with per-customer access.
   */
  constructor(
    readonly baseUrl: string,
    readonly token: string | null = null,
  ) {}

  /** One operation; resolves to `data`, rejects with OrdersApiError on any error. */
  async request<T>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const response = await fetch(`${this.baseUrl}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token === null ? {} : { authorization: `Bearer ${this.token}` }),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { data?: T | null; errors?: GraphQLError[] };
    if (body.errors !== undefined && body.errors.length > 0) throw new OrdersApiError(body.errors);
    if (body.data === undefined || body.data === null) {
      throw new Error(`orders-api answered HTTP ${response.status} without data`);
    }
    return body.data;
  }

  async createOrder(order: NewOrder = {}): Promise<Order> {
    const input = {
      items: order.items ?? MUGS,
      currency: order.currency ?? 'USD',
      ...(order.paymentToken === undefined ? {} : { paymentToken: order.paymentToken }),
    };
    const data = await this.request<{ createOrder: Order }>(
      `mutation ($input: CreateOrderInput!) { createOrder(input: $input) { ${ORDER_FIELDS} } }`,
      { input },
    );
    return data.createOrder;
  }

  async cancelOrder(id: string, reason?: string): Promise<Order> {
    const data = await this.request<{ cancelOrder: Order }>(
      `mutation ($id: ID!, $reason: String) { cancelOrder(id: $id, reason: $reason) { ${ORDER_FIELDS} } }`,
      { id, reason: reason ?? null },
    );
    return data.cancelOrder;
  }

  async order(id: string): Promise<Order | null> {
    const data = await this.request<{ order: Order | null }>(
      `query ($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`,
      { id },
    );
    return data.order;
  }

  /** Waits until orders-api itself says the order is in `status`; returns it then. */
  async waitForStatus(id: string, status: OrderStatus, timeout = 15_000): Promise<Order> {
    const seen: { order: Order | null } = { order: null };
    await expect
      .poll(
        async () => {
          seen.order = await this.order(id);
          return seen.order?.status;
        },
        { message: `order ${id} to reach ${status}`, timeout, intervals: [100, 200, 250] },
      )
      .toBe(status);
    if (seen.order === null) throw new Error(`order ${id} vanished`);
    return seen.order;
  }
}
