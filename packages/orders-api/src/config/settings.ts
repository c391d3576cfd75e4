import { fileURLToPath } from 'node:url';
import {
  boolean,
  defineSettings,
  httpUrl,
  integer,
  logLevel,
  nodeEnv,
  postgresUrl,
  setting,
  type GivenEnv,
  type SettingsOf,
} from '@oms/settings';
import { MAX_BATCH_ITEMS } from '@oms/payments-api/contract';
import { z } from 'zod';
import type { AdmissionSettings } from '../admission/admission.js';

export { SettingsError } from '@oms/settings';

/** Development default for the service token; refused when NODE_ENV is production. */
export const DEV_PAYMENTS_API_TOKEN = 'dev-only-payments-token';

/** HS256 needs a key at least as long as its hash (RFC 7518, section 3.2). */
export const MIN_JWT_SECRET_BYTES = 32;

const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../../.data/orders', import.meta.url));

/**
 * Every orders-api setting: the variable it is read from and how it is parsed. The README's
 * configuration table documents each one.
 */
const spec = {
  nodeEnv: setting('NODE_ENV', nodeEnv()),
  logLevel: setting('LOG_LEVEL', logLevel()),
  port: setting('ORDERS_PORT', integer(0, 65_535).default(4000)),
  host: setting('ORDERS_HOST', z.string().min(1).default('127.0.0.1')),
  databaseUrl: setting('ORDERS_DATABASE_URL', postgresUrl()),
  dataDir: setting('ORDERS_DATA_DIR', z.string().min(1).default(DEFAULT_DATA_DIR)),
  dbPoolSize: setting('ORDERS_DB_POOL_SIZE', integer(1, 200).default(10)),
  paymentsUrl: setting('PAYMENTS_URL', httpUrl().default('http://127.0.0.1:4001')),
  paymentsApiToken: setting(
    'PAYMENTS_API_TOKEN',
    z.string().min(1, { error: 'must not be empty' }).optional(),
  ),
  paymentTimeoutMs: setting('PAYMENT_TIMEOUT_MS', integer(100, 120_000).default(5_000)),
  // With the backoff (equal jitter, base doubling, 30 s cap), 10 attempts span about two
  // minutes: a provider restart or a short outage does not cancel orders that would be paid.
  paymentMaxAttempts: setting('PAYMENT_MAX_ATTEMPTS', integer(1, 100).default(10)),
  paymentRetryBaseMs: setting('PAYMENT_RETRY_BASE_MS', integer(1, 60_000).default(1_000)),
  // Orders paid by one call to payments-api at most; 1 makes every order a call of its own.
  paymentBatchSize: setting(
    'PAYMENT_BATCH_SIZE',
    integer(1, MAX_BATCH_ITEMS).default(MAX_BATCH_ITEMS),
  ),
  deliveryDelaySeconds: setting(
    'DELIVERY_DELAY_SECONDS',
    z.coerce
      .number({ error: 'must be a number of seconds' })
      .min(0, { error: 'must be at least 0' })
      .max(30 * 24 * 3600, { error: 'must be at most 30 days' })
      .default(10),
  ),
  workerBatchSize: setting('WORKER_BATCH_SIZE', integer(1, 1_000).default(200)),
  workerConcurrency: setting('WORKER_CONCURRENCY', integer(1, 1_000).default(100)),
  workerIdlePollMs: setting('WORKER_IDLE_POLL_MS', integer(10, 60_000).default(1_000)),
  // Concurrent createOrders share one statement; under load a batch holds what arrived while
  // the previous ones were written, up to this many.
  createBatchSize: setting('ORDERS_CREATE_BATCH_SIZE', integer(1, 1_000).default(200)),
  eventsBatchSize: setting('EVENTS_BATCH_SIZE', integer(1, 5_000).default(500)),
  // How often the transition log is read when no commit and no NOTIFY said it grew.
  eventsIdlePollMs: setting('EVENTS_IDLE_POLL_MS', integer(10, 60_000).default(500)),
  maxBodyBytes: setting('MAX_BODY_BYTES', integer(1_024, 10_000_000).default(128 * 1024)),
  // The Vite dev server's address; a deployment points it at wherever the SPA is served.
  ideUrl: setting(
    'ORDERS_IDE_URL',
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .default('http://127.0.0.1:5173/graphiql'),
  ),
  // Unset: spans are still made (their ids go on log lines) but not sent anywhere.
  otlpEndpoint: setting(
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    httpUrl('must be an http(s) URL such as http://collector:4318').optional(),
  ),
  serviceName: setting('OTEL_SERVICE_NAME', z.string().trim().min(1).default('orders-api')),
  metricsEnabled: setting('METRICS_ENABLED', boolean(true)),
  // Per-customer access: one of the two turns it on; neither, every request is the demo
  // customer. The secret's length is checked across settings, on the raw value.
  jwtSecret: setting('ORDERS_JWT_SECRET', z.string().optional()),
  jwksUrl: setting(
    'ORDERS_JWKS_URL',
    z
      .url({
        protocol: /^https?$/,
        error: 'must be an http(s) URL such as https://issuer.example.com/.well-known/jwks.json',
      })
      .optional(),
  ),
  jwtIssuer: setting('ORDERS_JWT_ISSUER', z.string().trim().min(1).optional()),
  jwtAudience: setting('ORDERS_JWT_AUDIENCE', z.string().trim().min(1).optional()),
  // Orders read per statement by GET /orders.csv: larger is fewer round trips, smaller is less
  // memory per export in flight.
  exportBatchSize: setting('ORDERS_EXPORT_BATCH_SIZE', integer(1, 10_000).default(1_000)),
  // Admission control of createOrder (README, "Overload"). The concurrency limits bound
  // createOrders in flight; the limit moves between min and max with their latency. Under
  // overload it sits near min, so min is what bounds an accepted createOrder's latency there,
  // and too low a min starves the worker when a busy machine makes every call slow.
  admissionEnabled: setting('ADMISSION_ENABLED', boolean(true)),
  admissionMinConcurrency: setting('ADMISSION_MIN_CONCURRENCY', integer(1, 10_000).default(16)),
  admissionInitialConcurrency: setting(
    'ADMISSION_INITIAL_CONCURRENCY',
    integer(1, 10_000).default(32),
  ),
  admissionMaxConcurrency: setting('ADMISSION_MAX_CONCURRENCY', integer(1, 10_000).default(256)),
  admissionLatencyTolerance: setting(
    'ADMISSION_LATENCY_TOLERANCE',
    z.coerce
      .number({ error: 'must be a number' })
      .gt(1, { error: 'must be above 1' })
      .max(100, { error: 'must be at most 100' })
      // Other processes on the machine slow every call alike; 2 read that as a queue.
      .default(3),
  ),
  // Under load a createOrder waits for its batch's commit: a few milliseconds more than alone,
  // with nothing queued. 20 ms is also the latency the bench holds createOrder's p99 to.
  admissionLatencyFloorMs: setting('ADMISSION_LATENCY_FLOOR_MS', integer(0, 60_000).default(20)),
  admissionMaxEventLoopDelayMs: setting(
    'ADMISSION_MAX_EVENT_LOOP_DELAY_MS',
    integer(1, 60_000).default(50),
  ),
  admissionMaxJobAgeMs: setting('ADMISSION_MAX_JOB_AGE_MS', integer(0, 86_400_000).default(2_000)),
  admissionSampleIntervalMs: setting(
    'ADMISSION_SAMPLE_INTERVAL_MS',
    integer(10, 60_000).default(250),
  ),
  admissionRetryAfterSeconds: setting(
    'ADMISSION_RETRY_AFTER_SECONDS',
    integer(1, 3_600).default(1),
  ),
  // Webhooks (README, "Webhooks"). Fractions are accepted so tests can make time short.
  webhooksRetryBaseSeconds: setting(
    'WEBHOOKS_RETRY_BASE_SECONDS',
    seconds(0.001, 3_600).default(5),
  ),
  webhooksRetryMaxAgeHours: setting(
    'WEBHOOKS_RETRY_MAX_AGE_HOURS',
    z.coerce
      .number({ error: 'must be a number of hours' })
      .positive({ error: 'must be above 0' })
      .max(24 * 30, { error: 'must be at most 720 (30 days)' })
      .default(24),
  ),
  webhooksTimeoutSeconds: setting('WEBHOOKS_TIMEOUT_SECONDS', seconds(0.1, 120).default(10)),
  // Unset: allowed outside production (local receivers and tests), refused in production.
  webhooksAllowPrivateNetworks: setting(
    'WEBHOOKS_ALLOW_PRIVATE_NETWORKS',
    z
      .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
      .optional()
      .transform((v) => (v === undefined ? undefined : v === 'true' || v === '1')),
  ),
};

/** A number of seconds between `min` and `max`, fractions allowed, read from text. */
function seconds(min: number, max: number) {
  return z.coerce
    .number({ error: 'must be a number of seconds' })
    .min(min, { error: `must be at least ${String(min)}` })
    .max(max, { error: `must be at most ${String(max)}` });
}

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
  | { mode: 'jwks'; jwksUrl: string; issuer: string | undefined; audience: string | undefined };

type Values = SettingsOf<typeof spec>;

const definition = defineSettings('orders-api', spec, {
  check: (given) => [
    ...tokenProblems(given),
    ...accessProblems(given),
    ...concurrencyProblems(given),
  ],
  derive: (values, given) => {
    const { jwtSecret: _s, jwksUrl: _u, jwtIssuer: _i, jwtAudience: _a, ...rest } = values;
    const {
      admissionEnabled,
      admissionMinConcurrency,
      admissionInitialConcurrency,
      admissionMaxConcurrency,
      admissionLatencyTolerance,
      admissionLatencyFloorMs,
      admissionMaxEventLoopDelayMs,
      admissionMaxJobAgeMs,
      admissionSampleIntervalMs,
      admissionRetryAfterSeconds,
      webhooksRetryBaseSeconds,
      webhooksRetryMaxAgeHours,
      webhooksTimeoutSeconds,
      webhooksAllowPrivateNetworks,
      ...others
    } = rest;
    return {
      ...others,
      /** Admission control of createOrder; off: every createOrder is taken. */
      admission: {
        enabled: admissionEnabled,
        ...concurrencyLimits(
          {
            min: admissionMinConcurrency,
            initial: admissionInitialConcurrency,
            max: admissionMaxConcurrency,
          },
          given,
        ).limits,
        latencyTolerance: admissionLatencyTolerance,
        latencyFloorMs: admissionLatencyFloorMs,
        maxEventLoopDelayMs: admissionMaxEventLoopDelayMs,
        maxJobAgeMs: admissionMaxJobAgeMs,
        sampleIntervalMs: admissionSampleIntervalMs,
        retryAfterSeconds: admissionRetryAfterSeconds,
      } satisfies AdmissionSettings & { enabled: boolean },
      /** Signed webhooks: retries, timeout, and which destinations may be reached. */
      webhooks: {
        retryBaseMs: webhooksRetryBaseSeconds * 1000,
        retryMaxAgeHours: webhooksRetryMaxAgeHours,
        timeoutMs: webhooksTimeoutSeconds * 1000,
        allowPrivateNetworks: webhooksAllowPrivateNetworks ?? values.nodeEnv !== 'production',
      },
      paymentsApiToken: values.paymentsApiToken ?? DEV_PAYMENTS_API_TOKEN,
      /** True when the token is the development default, so the service can say so at start. */
      usesDevToken: values.paymentsApiToken === undefined,
      /** Bearer tokens required (and whose), or off: every request acts as the demo customer. */
      access: accessOf(values),
    };
  },
});

/** orders-api's settings, as validated at start. */
export type OrdersSettings = ReturnType<typeof definition.load>;

/** Every variable orders-api reads. */
export const SETTING_NAMES = definition.names;

/** Reads and validates the environment once, at start. The only reader of process.env. */
export function loadSettings(env: NodeJS.ProcessEnv = process.env): OrdersSettings {
  return definition.load(env);
}

function tokenProblems(given: GivenEnv): string[] {
  const token = given.PAYMENTS_API_TOKEN;
  return given.NODE_ENV === 'production' &&
    (token === undefined || token === DEV_PAYMENTS_API_TOKEN)
    ? ['PAYMENTS_API_TOKEN: is required in production, and must not be the development default']
    : [];
}

/** What is wrong with the access variables as given; checked on the raw values. */
function accessProblems(given: GivenEnv): string[] {
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

interface Limits {
  min: number;
  initial: number;
  max: number;
}

/**
 * Admission control's concurrency limits, which must be in order (min <= initial <= max) where
 * given; a default gives way to what is given (ADMISSION_MAX_CONCURRENCY=4 alone lowers min and
 * initial to 4, ADMISSION_INITIAL_CONCURRENCY=1 alone lowers min to 1).
 */
function concurrencyLimits(
  { min, initial, max }: Limits,
  given: GivenEnv,
): {
  limits: { minConcurrency: number; initialConcurrency: number; maxConcurrency: number };
  problem: string | undefined;
} {
  const isGiven = (key: keyof typeof spec) => given[spec[key].env] !== undefined;
  const minGiven = isGiven('admissionMinConcurrency');
  const maxGiven = isGiven('admissionMaxConcurrency');
  const initialGiven = isGiven('admissionInitialConcurrency');
  const low = minGiven ? min : Math.min(min, maxGiven ? max : min, initialGiven ? initial : min);
  const high = maxGiven ? max : Math.max(max, low, initialGiven ? initial : max);
  let problem: string | undefined;
  if (minGiven && maxGiven && min > max) {
    problem = `ADMISSION_MIN_CONCURRENCY: must be at most ADMISSION_MAX_CONCURRENCY (${max}), is ${min}`;
  } else if (initialGiven && (initial < low || initial > high)) {
    problem = `ADMISSION_INITIAL_CONCURRENCY: must be between the min (${low}) and max (${high}) concurrency, is ${initial}`;
  }
  return {
    limits: {
      minConcurrency: low,
      initialConcurrency: Math.min(high, Math.max(low, initial)),
      maxConcurrency: high,
    },
    problem,
  };
}

/** What is wrong with the concurrency limits as given (each parses, or is reported by itself). */
function concurrencyProblems(given: GivenEnv): string[] {
  const parse = (
    key: 'admissionMinConcurrency' | 'admissionInitialConcurrency' | 'admissionMaxConcurrency',
  ) => spec[key].schema.safeParse(given[spec[key].env]).data;
  const [min, initial, max] = [
    parse('admissionMinConcurrency'),
    parse('admissionInitialConcurrency'),
    parse('admissionMaxConcurrency'),
  ];
  if (min === undefined || initial === undefined || max === undefined) return [];
  const { problem } = concurrencyLimits({ min, initial, max }, given);
  return problem === undefined ? [] : [problem];
}

function accessOf(values: Values): AccessSettings {
  const claims = { issuer: values.jwtIssuer, audience: values.jwtAudience };
  if (values.jwtSecret !== undefined) return { mode: 'hs256', secret: values.jwtSecret, ...claims };
  if (values.jwksUrl !== undefined) return { mode: 'jwks', jwksUrl: values.jwksUrl, ...claims };
  return { mode: 'off' };
}
