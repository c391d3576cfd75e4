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

/** Everything payments-api reads from its environment, validated and typed. */
export interface PaymentsSettings {
  readonly port: number;
  readonly host: string;
  /** PostgreSQL URL; undefined means the embedded database in `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly apiToken: string;
  /** True when `apiToken` is the development default, so the service can warn about it. */
  readonly usesDevelopmentToken: boolean;
  readonly approvalRate: number;
  readonly latencyMs: LatencyRange;
  readonly logLevel: LogLevel;
  readonly nodeEnv: string | undefined;
  /** OTLP/HTTP base URL for traces (`/v1/traces` is appended); undefined: traces not exported. */
  readonly otlpEndpoint: string | undefined;
  readonly serviceName: string;
  /** Whether `GET /metrics` is served. */
  readonly metricsEnabled: boolean;
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

// Compose files often write `NAME=` to mean "unset"; an empty value falls back to the default.
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === '' ? undefined : value), schema.optional());

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

const otlpEndpointSchema = z
  .string()
  .trim()
  .refine(
    (raw) => URL.canParse(raw) && /^https?:$/.test(new URL(raw).protocol),
    'must be an http(s) URL such as http://collector:4318',
  );

const envSchema = z.object({
  PAYMENTS_PORT: optional(portSchema),
  PAYMENTS_HOST: optional(z.string().trim().min(1, 'must not be blank')),
  PAYMENTS_DATABASE_URL: optional(databaseUrlSchema),
  PAYMENTS_DATA_DIR: optional(z.string().trim().min(1, 'must not be blank')),
  PAYMENTS_API_TOKEN: optional(z.string()),
  PAYMENT_APPROVAL_RATE: optional(approvalRateSchema),
  PAYMENT_LATENCY_MS: optional(latencySchema),
  LOG_LEVEL: optional(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` })),
  NODE_ENV: optional(z.string()),
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(otlpEndpointSchema),
  OTEL_SERVICE_NAME: optional(z.string().trim().min(1, 'must not be blank')),
  METRICS_ENABLED: optional(
    z.enum(['true', 'false', '1', '0'], { error: 'must be true or false' }),
  ),
});

/** Validates the environment and returns typed settings; throws one SettingsError naming every bad variable. */
export function loadSettings(env: NodeJS.ProcessEnv): PaymentsSettings {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);

  const production = env.NODE_ENV === 'production';
  const token = env.PAYMENTS_API_TOKEN ?? '';
  if (production && token === '') {
    problems.push('PAYMENTS_API_TOKEN: is required when NODE_ENV is production');
  }
  if (token === DEVELOPMENT_API_TOKEN && production) {
    problems.push('PAYMENTS_API_TOKEN: must not be the development default in production');
  }

  if (!parsed.success || problems.length > 0) throw new SettingsError(problems);
  const values = parsed.data;

  const dataDir = values.PAYMENTS_DATA_DIR ?? DEFAULT_DATA_DIR;
  const apiToken = values.PAYMENTS_API_TOKEN ?? DEVELOPMENT_API_TOKEN;
  return {
    port: values.PAYMENTS_PORT ?? 4001,
    host: values.PAYMENTS_HOST ?? '127.0.0.1',
    databaseUrl: values.PAYMENTS_DATABASE_URL,
    // `memory://` is PGlite's in-memory store, not a path.
    dataDir: dataDir.startsWith('memory://') || isAbsolute(dataDir) ? dataDir : resolve(dataDir),
    apiToken,
    usesDevelopmentToken: apiToken === DEVELOPMENT_API_TOKEN,
    approvalRate: values.PAYMENT_APPROVAL_RATE ?? 0.8,
    latencyMs: values.PAYMENT_LATENCY_MS ?? { min: 200, max: 800 },
    logLevel: values.LOG_LEVEL ?? 'info',
    nodeEnv: values.NODE_ENV,
    otlpEndpoint: values.OTEL_EXPORTER_OTLP_ENDPOINT?.replace(/\/+$/, ''),
    serviceName: values.OTEL_SERVICE_NAME ?? 'payments-api',
    metricsEnabled: values.METRICS_ENABLED !== 'false' && values.METRICS_ENABLED !== '0',
  };
}
