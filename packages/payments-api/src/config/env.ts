import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
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

/** Thrown by `loadSettings`; `problems` holds one `NAME: reason` line per bad variable. */
export class SettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid payments-api settings:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

// The repository's .data folder, wherever the process is started from.
const DEFAULT_DATA_DIR = fileURLToPath(new URL('../../../../.data/payments', import.meta.url));

/** A variable's schema, tagged with the key of the settings object its value fills. */
type Setting<Key extends string, Schema extends z.ZodType> = Schema & { readonly settingKey: Key };

/**
 * Reads one variable into `key`. Compose files often write `NAME=` to mean "unset", so an empty
 * value counts as unset: the schema's default, or undefined when it has none.
 */
function setting<Key extends string, Schema extends z.ZodType>(
  key: Key,
  schema: Schema,
): Setting<Key, z.ZodPreprocess<Schema>> {
  const unsetWhenEmpty = z.preprocess((value) => (value === '' ? undefined : value), schema);
  return Object.assign(unsetWhenEmpty, { settingKey: key });
}

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
 * Every variable payments-api reads (the keys of `.shape` are their names), how each is parsed
 * and which settings key it fills. The README's configuration table documents each one.
 */
export const settingsSchema = z.object({
  PAYMENTS_PORT: setting('port', portSchema.default(4001)),
  PAYMENTS_HOST: setting('host', nonBlank.default('127.0.0.1')),
  /** PostgreSQL URL; unset means the embedded database in the data folder. */
  PAYMENTS_DATABASE_URL: setting('databaseUrl', databaseUrlSchema.optional()),
  PAYMENTS_DATA_DIR: setting('dataDir', dataDirSchema.default(DEFAULT_DATA_DIR)),
  PAYMENTS_API_TOKEN: setting('apiToken', z.string().default(DEVELOPMENT_API_TOKEN)),
  PAYMENT_APPROVAL_RATE: setting('approvalRate', approvalRateSchema.default(0.8)),
  PAYMENT_LATENCY_MS: setting('latencyMs', latencySchema.default({ min: 200, max: 800 })),
  LOG_LEVEL: setting(
    'logLevel',
    z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  ),
  NODE_ENV: setting('nodeEnv', z.string().optional()),
  /** OTLP/HTTP base URL for traces (`/v1/traces` is appended); unset: traces not exported. */
  OTEL_EXPORTER_OTLP_ENDPOINT: setting('otlpEndpoint', otlpEndpointSchema.optional()),
  OTEL_SERVICE_NAME: setting('serviceName', nonBlank.default('payments-api')),
  /** Whether `GET /metrics` is served. */
  METRICS_ENABLED: setting('metricsEnabled', switchSchema.default(true)),
});

type Variables = typeof settingsSchema.shape;

/** Everything payments-api reads from its environment, validated and typed. */
export type PaymentsSettings = {
  readonly [Name in keyof Variables as Variables[Name]['settingKey']]: z.output<Variables[Name]>;
} & {
  /** True when `apiToken` is the development default, so the service can warn about it. */
  readonly usesDevelopmentToken: boolean;
};

/** Validates the environment and returns typed settings; throws one SettingsError naming every bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv): PaymentsSettings {
  const parsed = settingsSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

  // Checked on the raw value so that it is reported together with every other bad variable.
  const production = env.NODE_ENV === 'production';
  const token = env.PAYMENTS_API_TOKEN ?? '';
  if (production && token === '') {
    problems.push('PAYMENTS_API_TOKEN: is required when NODE_ENV is production');
  }
  if (token === DEVELOPMENT_API_TOKEN && production) {
    problems.push('PAYMENTS_API_TOKEN: must not be the development default in production');
  }

  if (!parsed.success || problems.length > 0) throw new SettingsError(problems);
  const values: Record<string, unknown> = parsed.data;
  const settings = Object.fromEntries(
    Object.entries(settingsSchema.shape).map(([name, schema]) => [schema.settingKey, values[name]]),
  ) as Omit<PaymentsSettings, 'usesDevelopmentToken'>;
  return { ...settings, usesDevelopmentToken: settings.apiToken === DEVELOPMENT_API_TOKEN };
}
