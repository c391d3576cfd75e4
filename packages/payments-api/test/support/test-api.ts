import { queryRows } from '@oms/database';
import { createTestDatabase } from '@oms/database/testing';
import type { SQL } from 'drizzle-orm';
import type { DestinationStream } from 'pino';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { loadSettings, startPaymentsApi, type RunningPaymentsApi } from '../../src/app.js';
import { openPaymentsDatabase } from '../../src/db/payments-database.js';
import { createLogger } from '../../src/logger.js';

export const TEST_TOKEN = 'test-token-for-payments-api';

export interface ChargeBody {
  orderId: string;
  amount: number;
  currency: string;
  paymentToken: string;
}

/** A payments-api on a free port over its own fresh database. */
export interface TestApi {
  readonly url: string;
  /** fetch against the API, with the bearer token unless `authorization` is given. */
  request(path: string, init?: RequestInit & { authorization?: string | null }): Promise<Response>;
  charge(idempotencyKey: string, body: ChargeBody): Promise<Response>;
  voidKey(idempotencyKey: string, orderId: string): Promise<Response>;
  /** `POST /payments/batch` with `{ items }`, items sent as given. */
  chargeBatch(items: readonly unknown[]): Promise<Response>;
  /** Stops the server, then runs a query on its database (the embedded one allows one user). */
  stopAndQuery<TRow>(query: SQL): Promise<TRow[]>;
  /** Stops the server and removes its database; safe to call twice. */
  dispose(): Promise<void>;
}

/** Starts the real server through the package's public entry, with test settings and overrides. */
export async function startTestApi(
  env: Record<string, string> = {},
  logDestination?: DestinationStream,
): Promise<TestApi> {
  const database = await createTestDatabase();
  let api: RunningPaymentsApi;
  try {
    const settings = loadSettings({
      PAYMENTS_PORT: '0',
      PAYMENTS_DATA_DIR: database.dataDir,
      ...(database.url === undefined ? {} : { PAYMENTS_DATABASE_URL: database.url }),
      PAYMENTS_API_TOKEN: TEST_TOKEN,
      PAYMENT_LATENCY_MS: '0',
      LOG_LEVEL: 'silent',
      ...env,
    });
    api = await startPaymentsApi(
      settings,
      logDestination === undefined ? {} : { logger: createLogger(settings, logDestination) },
    );
  } catch (error) {
    await database.dispose();
    throw error;
  }

  let disposed: Promise<void> | undefined;
  const request: TestApi['request'] = (path, init = {}) => {
    const { authorization = `Bearer ${TEST_TOKEN}`, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (authorization !== null) headers.set('authorization', authorization);
    return fetch(`${api.url}${path}`, { ...rest, headers });
  };
  return {
    url: api.url,
    request,
    charge: (idempotencyKey, body) =>
      request('/payments', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(body),
      }),
    voidKey: (idempotencyKey, orderId) =>
      request('/payments/void', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify({ orderId }),
      }),
    chargeBatch: (items) =>
      request('/payments/batch', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ items }),
      }),
    async stopAndQuery<TRow>(query: SQL) {
      await api.close();
      const handle = await openPaymentsDatabase({
        databaseUrl: database.url,
        dataDir: database.dataDir,
      });
      try {
        return await queryRows<TRow>(handle.db, query);
      } finally {
        await handle.close();
      }
    },
    dispose() {
      disposed ??= api.close().finally(() => database.dispose());
      return disposed;
    },
  };
}

/** The servers of a test file (see `useTestApis`). */
export interface TestApis {
  /** The server the file's tests share (they use distinct keys); started before them. */
  readonly shared: TestApi;
  /** A server of the test's own (other settings, or one to stop and read): disposed after it. */
  start(env?: Record<string, string>): Promise<TestApi>;
}

/** Registers the hooks that start and dispose of a test file's servers. */
export function useTestApis(sharedEnv: Record<string, string> = {}): TestApis {
  let shared: TestApi | undefined;
  const started: TestApi[] = [];
  beforeAll(async () => {
    shared = await startTestApi(sharedEnv);
  });
  afterAll(async () => {
    await shared?.dispose();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((api) => api.dispose()));
  });
  return {
    get shared() {
      if (shared === undefined) throw new Error('the shared payments-api did not start');
      return shared;
    },
    async start(env = {}) {
      const api = await startTestApi(env);
      started.push(api);
      return api;
    },
  };
}

/** A payment as the API answers it. */
export interface PaymentJson {
  id: string;
  orderId: string;
  status: 'confirmed' | 'declined' | 'refunded' | 'voided';
  amount: number | null;
  currency: string | null;
  createdAt: string;
  updatedAt: string;
  refundedAt: string | null;
}

/** A problem body as the API answers it. */
export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; message: string }[];
}

/** One result of `POST /payments/batch`. */
export interface BatchResultJson {
  idempotencyKey: string | null;
  outcome: 'created' | 'replayed' | 'refused';
  payment?: PaymentJson;
  problem?: ProblemJson;
}

/** Reads a response body as JSON, typed by the caller. */
export async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** Expects a problem answer of this status and type, with a title and a detail; returns it. */
export async function expectProblem(
  response: Response,
  status: number,
  type: string,
): Promise<ProblemJson> {
  expect(response.status).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  const body = await json<ProblemJson>(response);
  expect(body).toMatchObject({ type, status });
  expect(body.title).not.toBe('');
  expect(body.detail).not.toBe('');
  return body;
}

/** A charge body with sensible values, overridable per test. */
export function chargeBody(overrides: Partial<ChargeBody> = {}): ChargeBody {
  return {
    orderId: 'order-1',
    amount: 1999,
    currency: 'EUR',
    paymentToken: 'tok_approve',
    ...overrides,
  };
}
