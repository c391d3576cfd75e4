import { z } from 'zod';

/** The scenarios `pnpm bench` can run; BENCH_SCENARIOS picks a subset. */
export const SCENARIOS = [
  'pgbench',
  'lifecycle',
  'overload',
  'restart',
  'query',
  'webhooks',
  'fanout',
  'resume',
  'pglite',
  'search',
] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Everything the benchmark reads from its environment, validated once at start. */
export interface BenchSettings {
  /** Server to benchmark; the run creates and drops its own databases there. */
  databaseUrl: string;
  scenarios: readonly ScenarioName[];
  warmupS: number;
  durationS: number;
  /** Rising createOrder rates (orders/s) for the lifecycle on PostgreSQL and on PGlite. */
  rates: readonly number[];
  pgliteRates: readonly number[];
  /** A rate is held only if every order reaches its final state within this of its creation. */
  maxLagMs: number;
  /** No new lifecycle step starts after this long, so the whole run fits its time. */
  lifecycleBudgetS: number;
  pgliteBudgetS: number;
  deliveryDelayS: number;
  /** Processes the open-loop createOrder load is spread over. */
  loadProcesses: number;
  /** The overload scenario offers these multiples of the highest held rate. */
  overloadMultiples: readonly number[];
  /** The rate the multiples apply to when not the lifecycle's highest held rate of this run. */
  overloadBaseRate: number | undefined;
  /** kill -9 and restart of orders-api, this many times. */
  restarts: number;
  /** createOrder rate during the restarts; by default the highest held rate (or 100/s). */
  restartRate: number | undefined;
  pgbenchPath: string | undefined;
  pgbenchClients: readonly number[];
  queryConnections: number;
  subscribers: readonly number[];
  /** Clients in each fan-out step that subscribe to every order instead of one. */
  firehoseSubscribers: number;
  /** Orders cancelled per second during a fan-out step; each cancel is one event. */
  eventRate: number;
  subscriberProcesses: number;
  /** `orderEvents` subscribers of the resume scenario, each dropping and resuming. */
  resumeSubscribers: number;
  /** Mean seconds between one such subscriber's drops. */
  resumeIntervalS: number;
  /** Start orders-api with --cpu-prof, writing profiles to bench/results/profiles. */
  cpuProfile: boolean;
  resultsDir: string | undefined;
  /** PATH, HOME and the like: what a child process needs from ours to run at all. */
  /** Orders in the search scenario's database. */
  searchOrders: number;
  /** Measured requests per search shape. */
  searchRequests: number;
  /** The search scenario's database on the server, kept between runs (seeding takes minutes). */
  searchDatabase: string;
  baseEnv: Readonly<Record<string, string>>;
}

const INHERITED_ENV = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG'] as const;

const positiveInt = z.coerce.number().int().positive();
const rateList = z
  .string()
  .transform((text) => text.split(',').map((part) => Number(part.trim())))
  .pipe(z.array(z.number().int().positive()).min(1));

const multipleList = z
  .string()
  .transform((text) => text.split(',').map((part) => Number(part.trim())))
  .pipe(z.array(z.number().min(1).max(100)).min(1));

const schema = z.object({
  BENCH_DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/postgres'),
  BENCH_SCENARIOS: z
    .string()
    .transform((text) => text.split(',').map((part) => part.trim()))
    .pipe(z.array(z.enum(SCENARIOS)).min(1))
    .default([...SCENARIOS]),
  BENCH_WARMUP_S: z.coerce.number().min(0).max(120).default(3),
  BENCH_DURATION_S: z.coerce.number().min(1).max(600).default(10),
  BENCH_RATES: rateList.default([100, 300, 500, 700, 900, 1200, 1500, 2000]),
  BENCH_PGLITE_RATES: rateList.default([10, 25, 50, 100, 200, 400]),
  BENCH_MAX_LAG_MS: positiveInt.default(1000),
  BENCH_LIFECYCLE_BUDGET_S: positiveInt.default(200),
  BENCH_PGLITE_BUDGET_S: positiveInt.default(120),
  BENCH_DELIVERY_DELAY_S: z.coerce.number().min(0).max(1).default(0),
  BENCH_LOAD_PROCESSES: positiveInt.max(16).default(1),
  BENCH_OVERLOAD_MULTIPLES: multipleList.default([2, 5]),
  BENCH_OVERLOAD_BASE_RATE: positiveInt.optional(),
  BENCH_RESTARTS: positiveInt.max(100).default(5),
  BENCH_RESTART_RATE: positiveInt.optional(),
  BENCH_PGBENCH: z.string().min(1).optional(),
  BENCH_PGBENCH_CLIENTS: rateList.default([4, 8, 16]),
  BENCH_QUERY_CONNECTIONS: positiveInt.max(1000).default(20),
  BENCH_SUBSCRIBERS: rateList.default([1000, 10000, 20000]),
  BENCH_FIREHOSE: z.coerce.number().int().min(0).default(10),
  BENCH_EVENT_RATE: positiveInt.default(100),
  BENCH_SUBSCRIBER_PROCESSES: positiveInt.max(32).default(4),
  BENCH_RESUME_SUBSCRIBERS: positiveInt.max(20_000).default(1000),
  BENCH_RESUME_INTERVAL_S: z.coerce.number().min(0.5).max(60).default(3),
  BENCH_CPU_PROF: z.enum(['0', '1']).default('0'),
  BENCH_RESULTS_DIR: z.string().min(1).optional(),
  BENCH_SEARCH_ORDERS: positiveInt.default(1_000_000),
  BENCH_SEARCH_REQUESTS: positiveInt.max(10_000).default(200),
  BENCH_SEARCH_DATABASE: z
    .string()
    .regex(/^[a-z0-9_]+$/, { error: 'lower-case letters, digits and _ only' })
    .default('oms_search_1m'),
});

/** Thrown when the environment is invalid; names every bad variable. */
export class BenchSettingsError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid bench settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'BenchSettingsError';
  }
}

/** Reads the BENCH_* variables; the only reader of process.env in this package. */
export function loadBenchSettings(env: NodeJS.ProcessEnv = process.env): BenchSettings {
  // `BENCH_RATES=` means "the default", as in the services' settings.
  const given = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key.startsWith('BENCH_') && value?.trim()),
  );
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    throw new BenchSettingsError(
      parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
    );
  }
  const e = parsed.data;
  return {
    databaseUrl: e.BENCH_DATABASE_URL,
    scenarios: e.BENCH_SCENARIOS,
    warmupS: e.BENCH_WARMUP_S,
    durationS: e.BENCH_DURATION_S,
    rates: e.BENCH_RATES,
    pgliteRates: e.BENCH_PGLITE_RATES,
    maxLagMs: e.BENCH_MAX_LAG_MS,
    lifecycleBudgetS: e.BENCH_LIFECYCLE_BUDGET_S,
    pgliteBudgetS: e.BENCH_PGLITE_BUDGET_S,
    deliveryDelayS: e.BENCH_DELIVERY_DELAY_S,
    loadProcesses: e.BENCH_LOAD_PROCESSES,
    overloadMultiples: e.BENCH_OVERLOAD_MULTIPLES,
    overloadBaseRate: e.BENCH_OVERLOAD_BASE_RATE,
    restarts: e.BENCH_RESTARTS,
    restartRate: e.BENCH_RESTART_RATE,
    pgbenchPath: e.BENCH_PGBENCH,
    pgbenchClients: e.BENCH_PGBENCH_CLIENTS,
    queryConnections: e.BENCH_QUERY_CONNECTIONS,
    subscribers: e.BENCH_SUBSCRIBERS,
    firehoseSubscribers: e.BENCH_FIREHOSE,
    eventRate: e.BENCH_EVENT_RATE,
    subscriberProcesses: e.BENCH_SUBSCRIBER_PROCESSES,
    resumeSubscribers: e.BENCH_RESUME_SUBSCRIBERS,
    resumeIntervalS: e.BENCH_RESUME_INTERVAL_S,
    cpuProfile: e.BENCH_CPU_PROF === '1',
    resultsDir: e.BENCH_RESULTS_DIR,
    searchOrders: e.BENCH_SEARCH_ORDERS,
    searchRequests: e.BENCH_SEARCH_REQUESTS,
    searchDatabase: e.BENCH_SEARCH_DATABASE,
    baseEnv: Object.fromEntries(
      INHERITED_ENV.flatMap((key) => {
        const value = env[key];
        return value === undefined ? [] : [[key, value]];
      }),
    ),
  };
}
