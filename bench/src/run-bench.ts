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
  type ReportBody,
} from './report/bench-report.js';
import { targetChecks } from './report/targets.js';
import {
  CREATE_ORDER_BODY,
  runLifecycleThroughput,
  waitForDrain,
  type LifecycleResult,
} from './scenarios/lifecycle-throughput.js';
import { overloadBase, runOverload, type OverloadResult } from './scenarios/overload.js';
import { runPgbenchReference, type PgbenchResult } from './scenarios/pgbench-reference.js';
import { runQueryThroughput, type QueryResult } from './scenarios/query-throughput.js';
import { runSearchLatency } from './scenarios/search-latency.js';
import { runResumableStream, type ResumeResult } from './scenarios/resumable-stream.js';
import { runRestartTime, type RestartResult } from './scenarios/restart-time.js';
import { runSubscriptionFanout, type FanoutResult } from './scenarios/subscription-fanout.js';
import { runWebhookDelivery, type WebhooksResult } from './scenarios/webhook-delivery.js';
import { BenchDatabases, migrateLikeTheServices } from './stack/bench-databases.js';
import {
  graphqlUrl,
  queryGraphQL,
  serviceSettings,
  startOrdersApi,
  startPaymentsApi,
  type OrdersApiOptions,
} from './stack/bench-stack.js';
import { BENCH_DIR, REPO_DIR } from './stack/repo-paths.js';
import type { ServiceProcess } from './stack/service-process.js';

export type Log = (line: string) => void;

/** createOrders per second during the restarts when neither a setting nor a held rate says. */
const DEFAULT_RESTART_RATE = 100;

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
  let overload: OverloadResult | null = null;
  let restart: RestartResult | null = null;
  let query: QueryResult | null = null;
  let fanout: FanoutResult | null = null;
  let resume: ResumeResult | null = null;
  let pglite: LifecycleResult | null = null;
  let webhooks: WebhooksResult | null = null;
  try {
    if (wanted('pgbench')) {
      pgbench = await attempt('pgbench', async () => {
        const database = await databases.create('_pgbench');
        await migrateLikeTheServices(database.url);
        return runPgbenchReference(settings, database.url, log);
      });
    }

    const onPostgres = [
      'lifecycle',
      'overload',
      'restart',
      'query',
      'webhooks',
      'fanout',
      'resume',
    ] as const;
    if (onPostgres.some(wanted)) {
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
        const startOrders = async (options?: OrdersApiOptions) =>
          track(await startOrdersApi(settings, place, payments, profilesDir, options));
        const stopOrders = async (service: ServiceProcess) => {
          await service.stop();
          running.delete(service);
        };
        if (wanted('lifecycle') || wanted('overload')) {
          const orders = await startOrders();
          const target = { backend: 'postgres', orders, payments, databasePids } as const;
          if (wanted('lifecycle')) {
            log('lifecycle on PostgreSQL: rising createOrder rates');
            lifecycle = await attempt('lifecycle', () =>
              runLifecycleThroughput(
                settings,
                target,
                settings.rates,
                settings.lifecycleBudgetS,
                log,
              ),
            );
          }
          if (wanted('overload')) {
            const held = lifecycle?.highestHeldRate ?? null;
            overload = await attempt('overload', () => {
              const base = overloadBase(settings.overloadBaseRate, held);
              if (base === null) {
                throw new Error(
                  'no rate to overload: the lifecycle held none in this run (or did not run); set BENCH_OVERLOAD_BASE_RATE',
                );
              }
              log(`overload: ${settings.overloadMultiples.join(', ')} × ${base.rate}/s`);
              return runOverload(settings, target, base, log);
            });
          }
          await stopOrders(orders);
        }
        if (wanted('restart')) {
          const rate = settings.restartRate ?? lifecycle?.highestHeldRate ?? DEFAULT_RESTART_RATE;
          const started: ServiceProcess[] = [];
          log(
            `restart: kill -9 of orders-api under ${rate} createOrders/s, ${settings.restarts} times`,
          );
          restart = await attempt('restart', async () => {
            try {
              return await runRestartTime(
                settings,
                {
                  start: async (port) => {
                    const service = await startOrders({ port });
                    started.push(service);
                    return service;
                  },
                },
                rate,
                log,
              );
            } finally {
              await Promise.all(started.map(stopOrders));
            }
          });
        }
        if (wanted('query')) {
          // A fresh process: the lifecycle steps may have left garbage and a warm heap behind.
          const service = await startOrders();
          query = await attempt('query', async () => {
            const orderId = lifecycle?.sampleOrderId ?? (await deliveredOrder(service));
            log('order(id) and { __typename } throughput');
            return runQueryThroughput(settings, service, orderId);
          });
          await stopOrders(service);
        }
        if (wanted('webhooks')) {
          // A fresh process and the highest rate the lifecycle held (or the overload base rate).
          const rate =
            lifecycle?.highestHeldRate ?? settings.overloadBaseRate ?? DEFAULT_RESTART_RATE;
          // The receiver is on loopback, which production settings refuse to send to.
          const service = await startOrders({ env: { WEBHOOKS_ALLOW_PRIVATE_NETWORKS: 'true' } });
          log(`webhooks: one endpoint, a receiver answering 200, ${String(rate)} createOrders/s`);
          webhooks = await attempt('webhooks', () =>
            runWebhookDelivery(
              settings,
              { backend: 'postgres', orders: service, payments, databasePids },
              rate,
              log,
            ),
          );
          await stopOrders(service);
        }
        if (wanted('fanout')) {
          log('subscription fan-out');
          fanout = await attempt('fanout', () =>
            runSubscriptionFanout(settings, place, payments, profilesDir, log),
          );
        }
        if (wanted('resume')) {
          log('resumable stream: subscribers dropping and resuming from their cursor');
          resume = await attempt('resume', () =>
            runResumableStream(settings, place, payments, profilesDir, log),
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

    if (wanted('search')) {
      // Its own database, kept between runs, and its own files (results/search.{json,md}).
      await mkdir(outDir, { recursive: true });
      await attempt('search', () => runSearchLatency(settings, outDir, log));
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

  const machineAfter = await finishMachine(machine);
  const finished = new Date();
  const body: ReportBody = {
    startedAt: started.toISOString(),
    finishedAt: finished.toISOString(),
    elapsedS: (finished.getTime() - started.getTime()) / 1000,
    machine: machineAfter,
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
      loadProcesses: settings.loadProcesses,
      overloadMultiples: settings.overloadMultiples,
      overloadBaseRate: settings.overloadBaseRate ?? 'the highest rate the lifecycle held',
      restarts: settings.restarts,
      restartRate:
        settings.restartRate ?? `the highest rate the lifecycle held, else ${DEFAULT_RESTART_RATE}`,
      pgbenchClients: settings.pgbenchClients,
      queryConnections: settings.queryConnections,
      subscribers: settings.subscribers,
      firehoseSubscribers: settings.firehoseSubscribers,
      eventRate: settings.eventRate,
      subscriberProcesses: settings.subscriberProcesses,
      resumeSubscribers: settings.resumeSubscribers,
      resumeIntervalS: settings.resumeIntervalS,
      services: serviceSettings(settings),
    },
    pgbench,
    lifecycle,
    overload,
    restart,
    query,
    fanout,
    resume,
    pglite,
    webhooks,
    errors,
  };
  const report: BenchReport = { ...body, targets: targetChecks(body), summary: buildSummary(body) };
  await mkdir(outDir, { recursive: true });
  // The search scenario alone writes only its own files: latest.* keep the last full run.
  if (settings.scenarios.every((name) => name === 'search')) return report;
  // Formatted as the repository's Prettier would, so the committed results pass `pnpm lint`.
  for (const [file, text] of [
    ['latest.json', JSON.stringify(report)],
    ['latest.md', renderMarkdown(report)],
  ] as const) {
    const path = join(outDir, file);
    const options = (await resolveConfig(path)) ?? {};
    await writeFile(path, await format(text, { ...options, filepath: path }));
  }
  log(
    `\n${renderText(report.summary, report.targets)}\n\nwritten to ${join(outDir, 'latest.{json,md}')}`,
  );
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
