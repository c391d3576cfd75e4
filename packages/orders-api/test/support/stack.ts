import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { postGraphQL, type GraphQLErrorBody, type GraphQLResponse } from '@oms/testing';
import { paymentRecordsOf, type PaymentRecord } from '@oms/testing/invariants';
import {
  loadSettings as loadPaymentsSettings,
  startPaymentsApi,
  type RunningPaymentsApi,
} from '@oms/payments-api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { createClient, type Client } from 'graphql-ws';
import { pino, type Logger } from 'pino';
import WebSocket from 'ws';
import { loadSettings, startOrdersApi, type OrdersApi } from '../../src/app.js';

export { postGraphQL, type GraphQLErrorBody, type GraphQLResponse };

/** Token shared by the two services under test; a test value, not a secret. */
export const TEST_PAYMENTS_TOKEN = 'test-payments-token';

export interface StackOptions {
  /** Extra orders-api environment (strings, as in the real environment). */
  orders?: Record<string, string>;
  /** Extra payments-api environment. */
  payments?: Record<string, string>;
  /** Given to both services, so one exporter sees the spans of both. */
  spanProcessors?: SpanProcessor[];
  /** Loggers for each service; silent (or TEST_LOG_LEVEL) by default. */
  ordersLog?: Logger;
  paymentsLog?: Logger;
}

/** payments-api and orders-api on free loopback ports, each on its own fresh database. */
export class Stack {
  private readonly clients: Client[] = [];

  private constructor(
    readonly orders: OrdersApi,
    readonly payments: RunningPaymentsApi,
    private readonly databases: TestDatabase[],
  ) {}

  static async start(options: StackOptions = {}): Promise<Stack> {
    const ordersDb = await createTestDatabase();
    const paymentsDb = await createTestDatabase();
    const payments = await startPaymentsApi(
      loadPaymentsSettings(paymentsEnv(paymentsDb, options.payments)),
      {
        ...(options.paymentsLog === undefined ? {} : { logger: options.paymentsLog }),
        spanProcessors: options.spanProcessors,
      },
    );
    const orders = await startOrdersApi(
      loadSettings(ordersEnv(ordersDb, payments.url, options.orders)),
      options.ordersLog ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      { spanProcessors: options.spanProcessors },
    );
    return new Stack(orders, payments, [ordersDb, paymentsDb]);
  }

  get graphqlUrl(): string {
    return this.orders.url;
  }

  /** Sends one GraphQL operation over HTTP. */
  async gql<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<T>> {
    return postGraphQL<T>(this.graphqlUrl, query, variables, headers);
  }

  /** Starts a subscription and collects what it receives; `connectionParams` go in connection_init. */
  subscribe<T>(
    query: string,
    variables: Record<string, unknown> = {},
    connectionParams?: Record<string, unknown>,
  ): Subscription<T> {
    const client = createClient({
      url: this.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      ...(connectionParams === undefined ? {} : { connectionParams }),
    });
    this.clients.push(client);
    return new Subscription<T>(client, query, variables);
  }

  /** payments-api's records for an order (its own view of what was charged and refunded). */
  paymentsFor(orderId: string): Promise<PaymentRecord[]> {
    return paymentRecordsOf(this.payments.url, TEST_PAYMENTS_TOKEN, orderId);
  }

  /** Closes every WebSocket the stack's subscriptions opened, without completing them first. */
  async closeClients(): Promise<void> {
    for (const client of this.clients.splice(0)) await client.dispose();
  }

  async close(): Promise<void> {
    await this.closeClients();
    await this.orders.close();
    await this.payments.close();
    await Promise.all(this.databases.map((d) => d.dispose()));
  }
}

/** The payments-api environment for a test database: free port, no mocked delay. */
export function paymentsEnv(
  db: TestDatabase,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PAYMENTS_PORT: '0',
    PAYMENTS_API_TOKEN: TEST_PAYMENTS_TOKEN,
    PAYMENT_LATENCY_MS: '0',
    PAYMENT_APPROVAL_RATE: '0.5',
    PAYMENTS_DATA_DIR: db.dataDir,
    ...(db.url === undefined ? {} : { PAYMENTS_DATABASE_URL: db.url }),
    ...extra,
  };
}

/**
 * orders-api settings under which nothing answers payments and the first retry is a minute away:
 * an order stays CREATED until a test moves it, so every event is one a test caused.
 */
export const PAYMENTS_NEVER_ANSWER = {
  PAYMENTS_URL: 'http://127.0.0.1:1',
  PAYMENT_RETRY_BASE_MS: '60000',
  PAYMENT_MAX_ATTEMPTS: '100',
};

/** The orders-api environment for a test database and a payments-api URL. */
export function ordersEnv(
  db: TestDatabase,
  paymentsUrl: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    ORDERS_PORT: '0',
    ORDERS_DATA_DIR: db.dataDir,
    ...(db.url === undefined ? {} : { ORDERS_DATABASE_URL: db.url }),
    PAYMENTS_URL: paymentsUrl,
    PAYMENTS_API_TOKEN: TEST_PAYMENTS_TOKEN,
    DELIVERY_DELAY_SECONDS: '1',
    PAYMENT_RETRY_BASE_MS: '20',
    PAYMENT_TIMEOUT_MS: '2000',
    WORKER_IDLE_POLL_MS: '200',
    // Admission control refuses createOrder only under overload. These tests load a shared
    // machine in bursts to test other things, so its thresholds are kept out of their way; the
    // gate still runs on every request (admission.test.ts sets its own thresholds).
    ADMISSION_MAX_JOB_AGE_MS: '600000',
    ADMISSION_MIN_CONCURRENCY: '1000',
    ...extra,
  };
}

/** A running subscription: everything it received, and a way to wait for more. */
export class Subscription<T> {
  readonly events: T[] = [];
  readonly errors: unknown[] = [];
  completed = false;
  private readonly waiters = new Set<() => void>();
  private readonly unsubscribe: () => void;

  constructor(client: Client, query: string, variables: Record<string, unknown>) {
    this.unsubscribe = client.subscribe<T>(
      { query, variables },
      {
        next: (result) => {
          if (result.errors) this.errors.push(...result.errors);
          if (result.data) this.events.push(result.data);
          this.notify();
        },
        error: (error) => {
          this.errors.push(error);
          this.notify();
        },
        complete: () => {
          this.completed = true;
          this.notify();
        },
      },
    );
  }

  /** Resolves with the events once `predicate` holds for them; rejects after `timeoutMs`. */
  async waitFor(predicate: (events: T[]) => boolean, timeoutMs = 15_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `subscription condition not met; got ${JSON.stringify(this.events)} errors ${JSON.stringify(this.errors)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(left, 250));
        this.waiters.add(done);
        function done() {
          clearTimeout(timer);
          resolve();
        }
      });
      this.waiters.clear();
    }
    return this.events;
  }

  stop(): void {
    this.unsubscribe();
  }

  private notify(): void {
    for (const waiter of this.waiters) waiter();
  }
}

/** Polls `read` until `accept` holds for its value; rejects with the last value after `timeoutMs`. */
export async function eventually<T>(
  read: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met; last value ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const ORDER_FIELDS = `
  id status total currency createdAt updatedAt cancellationReason
  items { sku name quantity unitPrice }
  history { from to at reason }
`;

export interface OrderResult {
  id: string;
  status: string;
  total: number;
  currency: string;
  createdAt: string;
  updatedAt: string;
  cancellationReason: string | null;
  items: { sku: string; name: string; quantity: number; unitPrice: number }[];
  history: { from: string | null; to: string; at: string; reason: string | null }[];
}

export const CREATE_ORDER = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { ${ORDER_FIELDS} } }`;
export const CANCEL_ORDER = `mutation Cancel($id: ID!, $reason: String) { cancelOrder(id: $id, reason: $reason) { ${ORDER_FIELDS} } }`;
export const GET_ORDER = `query Get($id: ID!) { order(id: $id) { ${ORDER_FIELDS} } }`;

/** An ordinary valid order input; override what a test cares about. */
export function orderInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    items: [
      { sku: 'SKU-1', name: 'Widget', quantity: 2, unitPrice: 1250 },
      { sku: 'SKU-2', name: 'Gadget', quantity: 1, unitPrice: 999 },
    ],
    currency: 'EUR',
    paymentToken: 'tok_approve',
    ...overrides,
  };
}

/** Creates an order and returns it, failing the test on any error. */
export async function createOrder(
  stack: Stack,
  overrides: Record<string, unknown> = {},
): Promise<OrderResult> {
  const result = await stack.gql<{ createOrder: OrderResult }>(CREATE_ORDER, {
    input: orderInput(overrides),
  });
  if (!result.data?.createOrder)
    throw new Error(`createOrder failed: ${JSON.stringify(result.errors)}`);
  return result.data.createOrder;
}

/** Reads an order over HTTP. */
export async function getOrder(stack: Stack, id: string): Promise<OrderResult | null> {
  const result = await stack.gql<{ order: OrderResult | null }>(GET_ORDER, { id });
  if (result.errors) throw new Error(`order query failed: ${JSON.stringify(result.errors)}`);
  return result.data?.order ?? null;
}
