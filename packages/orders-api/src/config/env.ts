import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** Development default for the service token; refused when NODE_ENV is production. */
export const DEV_PAYMENTS_API_TOKEN = 'dev-only-payments-token';

const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../../.data/orders', import.meta.url));

const int = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be at least ${min}` })
    .max(max, { error: `must be at most ${max}` });

const optionalUrl = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(
    z
      .url({
        protocol: /^postgres(ql)?$/,
        error: 'must be a URL such as postgres://user@host:5432/db',
      })
      .optional(),
  );

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ORDERS_PORT: int(0, 65_535).default(4000),
  ORDERS_HOST: z.string().min(1).default('127.0.0.1'),
  ORDERS_DATABASE_URL: optionalUrl,
  ORDERS_DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  ORDERS_DB_POOL_SIZE: int(1, 200).default(10),
  PAYMENTS_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('http://127.0.0.1:4001'),
  PAYMENTS_API_TOKEN: z.string().min(1, { error: 'must not be empty' }).optional(),
  PAYMENT_TIMEOUT_MS: int(100, 120_000).default(5_000),
  // With the backoff (equal jitter, base doubling, 30 s cap), 10 attempts span about two
  // minutes: a provider restart or a short outage does not cancel orders that would be paid.
  PAYMENT_MAX_ATTEMPTS: int(1, 100).default(10),
  PAYMENT_RETRY_BASE_MS: int(1, 60_000).default(1_000),
  DELIVERY_DELAY_SECONDS: z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(0, { error: 'must be at least 0' })
    .max(30 * 24 * 3600, { error: 'must be at most 30 days' })
    .default(10),
  WORKER_BATCH_SIZE: int(1, 1_000).default(200),
  WORKER_CONCURRENCY: int(1, 1_000).default(100),
  WORKER_IDLE_POLL_MS: int(10, 60_000).default(1_000),
  MAX_BODY_BYTES: int(1_024, 10_000_000).default(128 * 1024),
  // The Vite dev server's address; a deployment points it at wherever the SPA is served.
  ORDERS_IDE_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .default('http://127.0.0.1:5173/graphiql'),
  // Unset: spans are still made (their ids go on log lines) but not sent anywhere.
  OTEL_EXPORTER_OTLP_ENDPOINT: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as http://collector:4318' })
    .optional(),
  OTEL_SERVICE_NAME: z.string().trim().min(1).default('orders-api'),
  METRICS_ENABLED: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('true'),
  // Per-customer access (issue 5): one of the two turns it on; neither, every request is the
  // demo customer. The secret's length is checked below, on the raw value.
  ORDERS_JWT_SECRET: z.string().optional(),
  ORDERS_JWKS_URL: z
    .url({
      protocol: /^https?$/,
      error: 'must be an http(s) URL such as https://issuer.example.com/.well-known/jwks.json',
    })
    .optional(),
  ORDERS_JWT_ISSUER: z.string().trim().min(1).optional(),
  ORDERS_JWT_AUDIENCE: z.string().trim().min(1).optional(),
});

/** Every variable orders-api reads: the keys of `.shape` are their names. */
export const settingsSchema = schema;

/** HS256 needs a key at least as long as its hash (RFC 7518, section 3.2). */
export const MIN_JWT_SECRET_BYTES = 32;

/** How callers are identified: not at all (the demo customer), or by a verified JWT. */
export type AccessSettings =
  | { mode: 'off' }
  | {
      mode: 'hs256';
      secret: string;
      /** Required `iss` claim, when set. */
      issuer: string | undefined;
      /** Required `aud` claim, when set. */
      audience: string | undefined;
    }
  | {
      mode: 'jwks';
      jwksUrl: string;
      issuer: string | undefined;
      audience: string | undefined;
    };

export type OrdersSettings = {
  nodeEnv: 'development' | 'production' | 'test';
  logLevel: string;
  port: number;
  host: string;
  databaseUrl: string | undefined;
  dataDir: string;
  dbPoolSize: number;
  paymentsUrl: string;
  paymentsApiToken: string;
  /** True when the token is the development default, so the service can say so at start. */
  usesDevToken: boolean;
  paymentTimeoutMs: number;
  paymentMaxAttempts: number;
  paymentRetryBaseMs: number;
  deliveryDelaySeconds: number;
  workerBatchSize: number;
  workerConcurrency: number;
  workerIdlePollMs: number;
  maxBodyBytes: number;
  /** Where a browser opening `/graphql` is sent: the SPA's bundled GraphQL IDE. */
  ideUrl: string;
  /** OTLP/HTTP base URL for traces (`/v1/traces` is appended); undefined: traces not exported. */
  otlpEndpoint: string | undefined;
  serviceName: string;
  /** Whether `GET /metrics` is served. */
  metricsEnabled: boolean;
  /** Bearer tokens required (and whose), or off: every request acts as the demo customer. */
  access: AccessSettings;
};

/** Thrown when the environment is invalid; its message names every bad variable. */
export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid orders-api settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Reads and validates the environment once, at start. The only reader of process.env. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): OrdersSettings {
  // A variable set to nothing (`ORDERS_PORT=`) means "use the default", never 0 or "".
  const given = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = schema.safeParse(given);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  // Checked on the raw values so it is reported alongside any other bad variable.
  const token = given.PAYMENTS_API_TOKEN;
  if (
    given.NODE_ENV === 'production' &&
    (token === undefined || token === DEV_PAYMENTS_API_TOKEN)
  ) {
    problems.push(
      'PAYMENTS_API_TOKEN: is required in production, and must not be the development default',
    );
  }
  problems.push(...accessProblems(given));
  if (!parsed.success || problems.length > 0) throw new SettingsError(problems);
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    port: e.ORDERS_PORT,
    host: e.ORDERS_HOST,
    databaseUrl: e.ORDERS_DATABASE_URL,
    dataDir: e.ORDERS_DATA_DIR,
    dbPoolSize: e.ORDERS_DB_POOL_SIZE,
    paymentsUrl: e.PAYMENTS_URL.replace(/\/+$/, ''),
    paymentsApiToken: e.PAYMENTS_API_TOKEN ?? DEV_PAYMENTS_API_TOKEN,
    usesDevToken: e.PAYMENTS_API_TOKEN === undefined,
    paymentTimeoutMs: e.PAYMENT_TIMEOUT_MS,
    paymentMaxAttempts: e.PAYMENT_MAX_ATTEMPTS,
    paymentRetryBaseMs: e.PAYMENT_RETRY_BASE_MS,
    deliveryDelaySeconds: e.DELIVERY_DELAY_SECONDS,
    workerBatchSize: e.WORKER_BATCH_SIZE,
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerIdlePollMs: e.WORKER_IDLE_POLL_MS,
    maxBodyBytes: e.MAX_BODY_BYTES,
    ideUrl: e.ORDERS_IDE_URL,
    otlpEndpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
    serviceName: e.OTEL_SERVICE_NAME,
    metricsEnabled: e.METRICS_ENABLED === 'true' || e.METRICS_ENABLED === '1',
    access: accessOf(e),
  };
}

/** What is wrong with the access variables as given; checked on the raw values. */
function accessProblems(given: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const secret = given.ORDERS_JWT_SECRET;
  const bytes = secret === undefined ? 0 : Buffer.byteLength(secret, 'utf8');
  if (secret !== undefined && bytes < MIN_JWT_SECRET_BYTES) {
    // The length only, never the value.
    problems.push(
      `ORDERS_JWT_SECRET: must be at least ${MIN_JWT_SECRET_BYTES} bytes for HS256, is ${bytes} ` +
        '(make one with `openssl rand -base64 48`)',
    );
  }
  if (secret !== undefined && given.ORDERS_JWKS_URL !== undefined) {
    problems.push(
      'ORDERS_JWKS_URL: set one of ORDERS_JWT_SECRET (HS256) and ORDERS_JWKS_URL, not both',
    );
  }
  if (secret === undefined && given.ORDERS_JWKS_URL === undefined) {
    for (const name of ['ORDERS_JWT_ISSUER', 'ORDERS_JWT_AUDIENCE'] as const) {
      if (given[name] !== undefined) {
        problems.push(`${name}: has no effect without ORDERS_JWT_SECRET or ORDERS_JWKS_URL`);
      }
    }
  }
  return problems;
}

function accessOf(e: z.infer<typeof schema>): AccessSettings {
  const claims = { issuer: e.ORDERS_JWT_ISSUER, audience: e.ORDERS_JWT_AUDIENCE };
  if (e.ORDERS_JWT_SECRET !== undefined) {
    return { mode: 'hs256', secret: e.ORDERS_JWT_SECRET, ...claims };
  }
  if (e.ORDERS_JWKS_URL !== undefined)
    return { mode: 'jwks', jwksUrl: e.ORDERS_JWKS_URL, ...claims };
  return { mode: 'off' };
}
