import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { format, resolveConfig } from 'prettier';
import type { BenchSettings, ScenarioName } from './config/bench-settings.js';
import { describeMachine, finishMachine } from './machine/machine-info.js';
import {
  buildSummary,
  renderMarkdown,
  renderText,
  type BenchReport,
} from './report/bench-report.js';
import {
  CREATE_ORDER_BODY,
  runLifecycleThroughput,
  waitForDrain,
  type LifecycleResult,
} from './scenarios/lifecycle-throughput.js';
import { runPgbenchReference, type PgbenchResult } from './scenarios/pgbench-reference.js';
import { runQueryThroughput, type QueryResult } from './scenarios/query-throughput.js';
import { runSubscriptionFanout, type FanoutResult } from './scenarios/subscription-fanout.js';
import { BenchDatabases, migrateLikeTheServices } from './stack/bench-databases.js';
import { graphqlUrl, queryGraphQL, startOrdersApi, startPaymentsApi } from './stack/bench-stack.js';
import { BENCH_DIR, REPO_DIR } from './stack/repo-paths.js';
import type { ServiceProcess } from './stack/service-process.js';

export type Log = (line: string) => void;

/** Where the results go: results/latest.json and results/latest.md. */
export function resultsDir(settings: BenchSettings): string {
  return settings.resultsDir ?? join(BENCH_DIR, 'results');
}

/**
 * Runs the selected scenarios in order, each on processes started for it, against databases
 * created for this run and dropped at the end; writes and returns the report. A scenario that
 * fails is recorded and the others still run.
 */
export async function runBench(settings: BenchSettings, log: Log): Promise<BenchReport> {
  const started = new Date();
  const stamp = started.toISOString().replace(/[-:]/g, '').replace('T', '_').slice(0, 15);
  const databases = new BenchDatabases(settings.databaseUrl, `oms_bench_${stamp}`);
  const outDir = resultsDir(settings);
  const profilesDir = join(outDir, 'profiles');
  if (settings.cpuProfile) await mkdir(profilesDir, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), 'oms-bench-'));
  const running = new Set<ServiceProcess>();
  const errors: BenchReport['errors'] = [];
  const wanted = (name: ScenarioName) => settings.scenarios.includes(name);
  const attempt = async <T>(name: string, body: () => Promise<T>): Promise<T | null> => {
    try {
      return await body();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`${name} failed: ${message}`);
      errors.push({ scenario: name, message });
      return null;
    }
  };
  const stopAll = async () => {
    await Promise.all([...running].map((service) => service.stop()));
    running.clear();
  };
  const track = (service: ServiceProcess) => {
    running.add(service);
    return service;
  };

  const interrupted = () => {
    log('interrupted: stopping services and dropping the bench databases');
    void stopAll()
      .then(() => databases.dropAll())
      .finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);

  const machine = await describeMachine(await databases.serverVersion(), REPO_DIR);
  log(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, load ${machine.loadAtStart.join(' ')}, ` +
      `${machine.busyBeforeStartPercent ?? '?'} % busy before start`,
  );
  let pgbench: PgbenchResult | null = null;
  let lifecycle: LifecycleResult | null = null;
  let query: QueryResult | null = null;
  let fanout: FanoutResult | null = null;
  let pglite: LifecycleResult | null = null;
  try {
    if (wanted('pgbench')) {
      pgbench = await attempt('pgbench', async () => {
        const database = await databases.create('_pgbench');
        await migrateLikeTheServices(database.url);
        return runPgbenchReference(settings, database.url, log);
      });
    }

    if (wanted('lifecycle') || wanted('query') || wanted('fanout')) {
      const database = await databases.create();
      const place = { url: database.url };
      const admin = postgres(settings.databaseUrl, { max: 1, onnotice: () => undefined });
      const databasePids = async () =>
        (
          await admin<
            { pid: number }[]
          >`select pid from pg_stat_activity where datname = ${database.name}`
        ).map((row) => row.pid);
      try {
        const payments = track(await startPaymentsApi(settings, place, profilesDir));
        let orders = track(await startOrdersApi(settings, place, payments, profilesDir));
        if (wanted('lifecycle')) {
          log('lifecycle on PostgreSQL: rising createOrder rates');
          lifecycle = await attempt('lifecycle', () =>
            runLifecycleThroughput(
              settings,
              { backend: 'postgres', orders, payments, databasePids },
              settings.rates,
              settings.lifecycleBudgetS,
              log,
            ),
          );
        }
        if (wanted('query')) {
          // A fresh process: the lifecycle steps may have left garbage and a warm heap behind.
          await orders.stop();
          running.delete(orders);
          orders = track(await startOrdersApi(settings, place, payments, profilesDir));
          const service = orders;
          query = await attempt('query', async () => {
            const orderId = lifecycle?.sampleOrderId ?? (await deliveredOrder(service));
            log('order(id) and { __typename } throughput');
            return runQueryThroughput(settings, service, orderId);
          });
        }
        await orders.stop();
        running.delete(orders);
        if (wanted('fanout')) {
          log('subscription fan-out');
          fanout = await attempt('fanout', () =>
            runSubscriptionFanout(settings, place, payments, profilesDir, log),
          );
        }
      } finally {
        await stopAll();
        await admin.end();
      }
    }

    if (wanted('pglite')) {
      pglite = await attempt('pglite', async () => {
        const place = { dataDir: join(scratch, 'pglite') };
        const payments = track(await startPaymentsApi(settings, place, profilesDir));
        const orders = track(await startOrdersApi(settings, place, payments, profilesDir));
        log('lifecycle on embedded PGlite: rising createOrder rates');
        try {
          return await runLifecycleThroughput(
            settings,
            { backend: 'pglite', orders, payments, databasePids: null },
            settings.pgliteRates,
            settings.pgliteBudgetS,
            log,
          );
        } finally {
          await stopAll();
        }
      });
    }
  } finally {
    await stopAll();
    await databases.dropAll().catch((error: unknown) => {
      log(`could not drop the bench databases: ${String(error)}`);
    });
    await rm(scratch, { recursive: true, force: true });
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }

  const finished = new Date();
  const partial: Omit<BenchReport, 'summary'> = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    elapsedS: (finished.getTime() - started.getTime()) / 1000,
    machine: finishMachine(machine),
    settings: {
      scenarios: settings.scenarios,
      warmupS: settings.warmupS,
      durationS: settings.durationS,
      rates: settings.rates,
      pgliteRates: settings.pgliteRates,
      maxLagMs: settings.maxLagMs,
      lifecycleBudgetS: settings.lifecycleBudgetS,
      pgliteBudgetS: settings.pgliteBudgetS,
      deliveryDelayS: settings.deliveryDelayS,
      paymentLatencyMs: 0,
      loadProcesses: settings.loadProcesses,
      pgbenchClients: settings.pgbenchClients,
      queryConnections: settings.queryConnections,
      subscribers: settings.subscribers,
      firehoseSubscribers: settings.firehoseSubscribers,
      eventRate: settings.eventRate,
      subscriberProcesses: settings.subscriberProcesses,
      services: 'NODE_ENV=production, LOG_LEVEL=warn, other settings at their defaults',
    },
    pgbench,
    lifecycle,
    query,
    fanout,
    pglite,
    errors,
  };
  const report: BenchReport = { ...partial, summary: buildSummary(partial) };
  await mkdir(outDir, { recursive: true });
  // Formatted as the repository's Prettier would, so the committed results pass `pnpm lint`.
  for (const [file, text] of [
    ['latest.json', JSON.stringify(report)],
    ['latest.md', renderMarkdown(report)],
  ] as const) {
    const path = join(outDir, file);
    const options = (await resolveConfig(path)) ?? {};
    await writeFile(path, await format(text, { ...options, filepath: path }));
  }
  log(`\n${renderText(report.summary)}\n\nwritten to ${join(outDir, 'latest.{json,md}')}`);
  return report;
}

/** An order that has been through its whole lifecycle, for the query scenario run on its own. */
async function deliveredOrder(orders: ServiceProcess): Promise<string> {
  const url = graphqlUrl(orders);
  const since = Date.now();
  const created = await queryGraphQL<{ createOrder: { id: string } }>(
    url,
    (JSON.parse(CREATE_ORDER_BODY) as { query: string }).query,
    (JSON.parse(CREATE_ORDER_BODY) as { variables: Record<string, unknown> }).variables,
  );
  await waitForDrain(url, since);
  return created.createOrder.id;
}
