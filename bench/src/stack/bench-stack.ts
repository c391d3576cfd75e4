import { join } from 'node:path';
import type { BenchSettings } from '../config/bench-settings.js';
import { ORDERS_API_DIR, PAYMENTS_API_DIR } from './repo-paths.js';
import { freePort } from '@oms/testing';
import { ServiceProcess } from './service-process.js';

/** Shared by the two services of a bench run; a bench value, not a secret. */
const BENCH_PAYMENTS_TOKEN = 'bench-only-payments-token';

/** Where a service keeps its data: a PostgreSQL server, or an embedded PGlite folder. */
export type DataPlace = { url: string } | { dataDir: string };

function profilingArgs(settings: BenchSettings, profilesDir: string): string[] {
  return settings.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profilesDir}`] : [];
}

/**
 * The settings both services run with, beyond their defaults: as deployed (production), logging
 * only warnings. Metrics stay on, as in production (recorded on every request, `/metrics`
 * served but not scraped); written out so a change of default cannot change what is measured.
 */
const COMMON_SETTINGS = {
  NODE_ENV: 'production',
  // Per-request info logs would be measured as part of the service; warnings still show.
  LOG_LEVEL: 'warn',
  METRICS_ENABLED: 'true',
} as const;

function commonEnv(settings: BenchSettings): Record<string, string> {
  return { ...settings.baseEnv, ...COMMON_SETTINGS, PAYMENTS_API_TOKEN: BENCH_PAYMENTS_TOKEN };
}

/** What the services run with, for the results: the variables the bench sets, and the rest. */
export function serviceSettings(settings: BenchSettings): Record<string, unknown> {
  return {
    both: { ...COMMON_SETTINGS, PAYMENTS_API_TOKEN: '(a bench token)' },
    'payments-api': { PAYMENT_LATENCY_MS: '0' },
    'orders-api': { DELIVERY_DELAY_SECONDS: String(settings.deliveryDelayS) },
    others:
      'at their defaults (the repository README lists them): no OTLP export, no JWT checks, admission control on with its ADMISSION_* defaults',
  };
}

/** payments-api with no mocked delay, as the issue asks (PAYMENT_LATENCY_MS=0). */
export async function startPaymentsApi(
  settings: BenchSettings,
  place: DataPlace,
  profilesDir: string,
): Promise<ServiceProcess> {
  const port = await freePort();
  return ServiceProcess.start({
    name: 'payments-api',
    packageDir: PAYMENTS_API_DIR,
    port,
    nodeArgs: profilingArgs(settings, profilesDir),
    env: {
      ...commonEnv(settings),
      PAYMENTS_HOST: '127.0.0.1',
      PAYMENTS_PORT: String(port),
      PAYMENT_LATENCY_MS: '0',
      ...('url' in place
        ? { PAYMENTS_DATABASE_URL: place.url }
        : { PAYMENTS_DATA_DIR: join(place.dataDir, 'payments') }),
    },
  });
}

export interface OrdersApiOptions {
  /** Settings that override the bench's. */
  env?: Record<string, string>;
  /** For messages, when several run. */
  name?: string;
  /** A port to listen on (e.g. the one of a process it replaces); a free one by default. */
  port?: number;
}

/** orders-api on its own port, talking to `payments`. */
export async function startOrdersApi(
  settings: BenchSettings,
  place: DataPlace,
  payments: ServiceProcess,
  profilesDir: string,
  { env = {}, name = 'orders-api', port: given }: OrdersApiOptions = {},
): Promise<ServiceProcess> {
  const port = given ?? (await freePort());
  return ServiceProcess.start({
    name,
    packageDir: ORDERS_API_DIR,
    port,
    nodeArgs: profilingArgs(settings, profilesDir),
    env: {
      ...commonEnv(settings),
      ORDERS_HOST: '127.0.0.1',
      ORDERS_PORT: String(port),
      PAYMENTS_URL: payments.baseUrl,
      DELIVERY_DELAY_SECONDS: String(settings.deliveryDelayS),
      ...('url' in place
        ? { ORDERS_DATABASE_URL: place.url }
        : { ORDERS_DATA_DIR: join(place.dataDir, 'orders') }),
      ...env,
    },
  });
}

/** The GraphQL endpoint of an orders-api process. */
export function graphqlUrl(orders: ServiceProcess): string {
  return `${orders.baseUrl}/graphql`;
}

/** One GraphQL operation over HTTP; throws on any error, since the bench's own calls must work. */
export async function queryGraphQL<T>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(60_000),
  });
  const answer = (await response.json()) as { data?: T; errors?: { message: string }[] };
  if (answer.errors !== undefined || answer.data === undefined) {
    throw new Error(`GraphQL call failed: ${JSON.stringify(answer.errors ?? answer)}`);
  }
  return answer.data;
}
