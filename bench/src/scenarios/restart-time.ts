import type { BenchSettings } from '../config/bench-settings.js';
import {
  GeneratorProcess,
  cpuMicrosPerRequest,
  generatorCpuPercent,
} from '../load/generator-process.js';
import { STOP_LOAD, type OpenLoopReport } from '../load/open-loop.protocol.js';
import { graphqlUrl } from '../stack/bench-stack.js';
import type { ServiceProcess } from '../stack/service-process.js';
import { summarize, type LatencySummary } from '../stats/percentiles.js';
import { CREATE_ORDER_BODY, OPEN_LOOP_GENERATOR, readBackSince } from './lifecycle-throughput.js';
import { auditOrders, mergeCounts, type OrderAudit } from './order-audit.js';

/** Load before the first kill, and after each restart before the next. */
const SETTLE_MS = 3_000;
/** How often /ready is asked while a process starts. */
const READY_POLL_MS = 5;
/** A restart slower than this is a failure of the scenario, not a figure. */
const READY_TIMEOUT_MS = 60_000;
const REQUEST_TIMEOUT_MS = 10_000;

export interface RestartRun {
  /** From the SIGKILL to the first 200 of the new process's /ready. */
  killToReadyMs: number;
  /** From the new process's spawn to that 200: Node, the bundle, the database, the worker. */
  spawnToReadyMs: number;
}

export interface RestartResult {
  /** createOrder rate offered throughout. */
  rate: number;
  runs: RestartRun[];
  killToReadyMs: LatencySummary;
  spawnToReadyMs: LatencySummary;
  /** Orders acknowledged over the whole scenario. */
  acknowledged: number;
  /** Requests that failed, mostly refused connections while no process listened. */
  failedRequests: number;
  failures: Record<string, number>;
  refused: number;
  /** Every order of the scenario read back after the last restart had finished its work. */
  audit: Omit<OrderAudit, 'lagsMs'>;
  generatorCpuPercent: number;
  generatorMicrosPerRequest: number;
}

/** The stack the restarts happen to: `start` makes an orders-api (on `port` when given). */
export interface RestartTarget {
  start: (port?: number) => Promise<ServiceProcess>;
}

/**
 * kill -9 of a loaded orders-api, then a new process on the same port, timed to its /ready
 * answering 200; `restarts` times under one open-loop createOrder load. Afterwards (once the
 * leases of the jobs the killed processes held have run out) every order is read back: an
 * acknowledged order must be neither lost nor stuck, whichever process it was in when killed.
 */
export async function runRestartTime(
  settings: BenchSettings,
  target: RestartTarget,
  rate: number,
  log: (line: string) => void,
): Promise<RestartResult> {
  let orders = await target.start();
  const url = graphqlUrl(orders);
  const readyUrl = `${orders.baseUrl}/ready`;
  const generators = Array.from({ length: settings.loadProcesses }, (_, i) =>
    GeneratorProcess.start(OPEN_LOOP_GENERATOR, `restart-load-${i}`, { ...settings.baseEnv }),
  );
  const runs: RestartRun[] = [];
  let reports: OpenLoopReport[];
  const startAt = Date.now() + 1_500;
  try {
    const load = Promise.all(
      generators.map((generator) =>
        generator.ask({
          url,
          bodies: [CREATE_ORDER_BODY],
          rate: rate / generators.length,
          startAt,
          warmupMs: 0,
          // Stopped after the last restart; this only bounds it.
          durationMs: settings.restarts * (SETTLE_MS + READY_TIMEOUT_MS) + SETTLE_MS,
          timeoutMs: REQUEST_TIMEOUT_MS,
        }),
      ),
    );
    // A generator that fails ends the scenario at once rather than after its whole duration.
    const failed = load.then(() => never());
    failed.catch(() => undefined);
    await Promise.race([sleep(startAt - Date.now() + SETTLE_MS), failed]);
    for (let i = 0; i < settings.restarts; i++) {
      const killedAt = performance.now();
      await orders.kill('SIGKILL');
      const spawnedAt = performance.now();
      const starting = target.start(orders.port);
      // A start that fails ends the wait; one that succeeds was seen ready by the poll already.
      const readyAt = await Promise.race([
        waitReady(readyUrl),
        starting.then(() => never()),
        failed,
      ]);
      orders = await starting;
      const run = { killToReadyMs: readyAt - killedAt, spawnToReadyMs: readyAt - spawnedAt };
      runs.push(run);
      log(
        `restart ${i + 1}/${settings.restarts} at ${rate}/s: ready ${run.killToReadyMs.toFixed(0)} ms ` +
          `after kill -9 (${run.spawnToReadyMs.toFixed(0)} ms after spawn)`,
      );
      await Promise.race([sleep(SETTLE_MS), failed]);
    }
    for (const generator of generators) generator.tell(STOP_LOAD);
    reports = await load;
  } finally {
    await Promise.all(generators.map((g) => g.close()));
  }

  log('restart: waiting for the killed processes’ leases to run out and every order to finish');
  const listed = await readBackSince(url, startAt);
  const acknowledged = new Set(reports.flatMap((r) => r.ids));
  const { lagsMs: _lags, ...audit } = auditOrders(listed, acknowledged, {
    start: startAt,
    end: Date.now(),
  });
  const cpus = reports.map((r) => r.cpu);
  return {
    rate,
    runs,
    killToReadyMs: summarize(runs.map((r) => r.killToReadyMs)),
    spawnToReadyMs: summarize(runs.map((r) => r.spawnToReadyMs)),
    acknowledged: acknowledged.size,
    failedRequests: reports.reduce((sum, r) => sum + r.failed, 0),
    failures: mergeCounts(reports.map((r) => r.failures)),
    refused: reports.reduce((sum, r) => sum + r.refused, 0),
    audit,
    generatorCpuPercent: generatorCpuPercent(cpus),
    generatorMicrosPerRequest: cpuMicrosPerRequest(
      cpus,
      reports.reduce((sum, r) => sum + r.scheduled, 0),
    ),
  };
}

/** Resolves with performance.now() of the first 200 from `url`, asking every few milliseconds. */
async function waitReady(url: string): Promise<number> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await response.arrayBuffer();
      if (response.ok) return performance.now();
    } catch {
      // Not listening yet.
    }
    await sleep(READY_POLL_MS);
  }
  throw new Error(`orders-api was not ready ${READY_TIMEOUT_MS} ms after a restart`);
}

/** A promise that never settles: in a race, a branch that only ever rejects. */
function never(): Promise<never> {
  return new Promise<never>(() => undefined);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}
