import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineSettings, setting } from '@oms/settings';
import { z } from 'zod';

/** The bearer token used outside production when none is configured; never valid in production. */
export const DEVELOPMENT_API_TOKEN = 'dev-only-payments-token';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MAX_LATENCY_MS = 60_000;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** Inclusive bounds of the mocked processing delay, in milliseconds. */
export interface LatencyRange {
  readonly min: number;
  readonly max: number;
}

export { SettingsError } from '@oms/settings';

// The repository's .data folder, wherever the process is started from.
const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../../.data/payments', import.meta.url));

const nonBlank = z.string().trim().min(1, 'must not be blank');

const portSchema = z
  .string()
  .trim()
  .regex(/^\d{1,5}$/, 'must be an integer from 0 to 65535')
  .transform(Number)
  .refine((port) => port <= 65_535, 'must be an integer from 0 to 65535');

const approvalRateSchema = z
  .string()
  .trim()
  .refine((raw) => raw !== '' && Number.isFinite(Number(raw)), 'must be a number from 0 to 1')
  .transform(Number)
  .refine((rate) => rate >= 0 && rate <= 1, 'must be a number from 0 to 1');

const LATENCY_MESSAGE = `must be 0, an integer or a range like 200-800 (min <= max, each 0 to ${MAX_LATENCY_MS})`;

/** Parses `0`, `250` or `200-800` into inclusive bounds; undefined when the text is not valid. */
export function parseLatencyRange(text: string): LatencyRange | undefined {
  const match = /^(\d{1,6})(?:\s*-\s*(\d{1,6}))?$/.exec(text.trim());
  if (match === null) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (min > max || max > MAX_LATENCY_MS) return undefined;
  return { min, max };
}

const latencySchema = z.string().transform((raw, ctx) => {
  const range = parseLatencyRange(raw);
  if (range === undefined) {
    ctx.addIssue({ code: 'custom', message: LATENCY_MESSAGE });
    return z.NEVER;
  }
  return range;
});

const databaseUrlSchema = z
  .string()
  .trim()
  .refine(
    (raw) => URL.canParse(raw) && /^postgres(ql)?:$/.test(new URL(raw).protocol),
    'must be a postgres:// or postgresql:// URL',
  );

// `memory://` is PGlite's in-memory store, not a path.
const dataDirSchema = nonBlank.transform((dir) =>
  dir.startsWith('memory://') || isAbsolute(dir) ? dir : resolve(dir),
);

const otlpEndpointSchema = z
  .string()
  .trim()
  .refine(
    (raw) => URL.canParse(raw) && /^https?:$/.test(new URL(raw).protocol),
    'must be an http(s) URL such as http://collector:4318',
  )
  .transform((url) => url.replace(/\/+$/, ''));

const switchSchema = z
  .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
  .transform((raw) => raw === 'true' || raw === '1');

/**
 * Every payments-api setting: the variable it is read from and how it is parsed. The README's
 * configuration table documents each one.
 */
const spec = {
  port: setting('PAYMENTS_PORT', portSchema.default(4001)),
  host: setting('PAYMENTS_HOST', nonBlank.default('127.0.0.1')),
  /** PostgreSQL URL; unset means the embedded database in the data folder. */
  databaseUrl: setting('PAYMENTS_DATABASE_URL', databaseUrlSchema.optional()),
  dataDir: setting('PAYMENTS_DATA_DIR', dataDirSchema.default(DEFAULT_DATA_DIR)),
  apiToken: setting('PAYMENTS_API_TOKEN', z.string().default(DEVELOPMENT_API_TOKEN)),
  approvalRate: setting('PAYMENT_APPROVAL_RATE', approvalRateSchema.default(0.8)),
  latencyMs: setting('PAYMENT_LATENCY_MS', latencySchema.default({ min: 200, max: 800 })),
  logLevel: setting(
    'LOG_LEVEL',
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  nodeEnv: setting('NODE_ENV', z.string().optional()),
  /** OTLP/HTTP base URL for traces (`/v1/traces` is appended); unset: traces not exported. */
  otlpEndpoint: setting('OTEL_EXPORTER_OTLP_ENDPOINT', otlpEndpointSchema.optional()),
  serviceName: setting('OTEL_SERVICE_NAME', nonBlank.default('payments-api')),
  /** Whether `GET /metrics` is served. */
  metricsEnabled: setting('METRICS_ENABLED', switchSchema.default(true)),
};

const definition = defineSettings('payments-api', spec, {
  // Compose files write `NAME=` for "unset"; anything else, white space too, is a value.
  unset: 'empty',
  // Checked on the raw value so that it is reported together with every other bad variable.
  check: (given) => {
    const production = given.NODE_ENV === 'production';
    const token = given.PAYMENTS_API_TOKEN ?? '';
    if (production && token === '') {
      return ['PAYMENTS_API_TOKEN: is required when NODE_ENV is production'];
    }
    if (production && token === DEVELOPMENT_API_TOKEN) {
      return ['PAYMENTS_API_TOKEN: must not be the development default in production'];
    }
    return [];
  },
  derive: (values) => ({
    ...values,
    /** True when `apiToken` is the development default, so the service can warn about it. */
    usesDevelopmentToken: values.apiToken === DEVELOPMENT_API_TOKEN,
  }),
});

/** Everything payments-api reads from its environment, validated and typed. */
export type PaymentsSettings = ReturnType<typeof definition.load>;

/** Every variable payments-api reads. */
export const SETTING_NAMES = definition.names;

/** Validates the environment and returns typed settings; throws one SettingsError naming every bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv): PaymentsSettings {
  return definition.load(env);
}
