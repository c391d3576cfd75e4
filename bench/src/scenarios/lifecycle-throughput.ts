import type { BenchSettings } from '../config/bench-settings.js';
import {
  GeneratorProcess,
  cpuMicrosPerRequest,
  generatorCpuPercent,
  generatorScript,
  type GeneratorCpu,
} from '../load/generator-process.js';
import {
  MAX_CONNECTIONS,
  type OpenLoopJob,
  type OpenLoopReport,
} from '../load/open-loop.protocol.js';
import { CpuMeter } from '../machine/process-usage.js';
import { graphqlUrl, queryGraphQL } from '../stack/bench-stack.js';
import type { ServiceProcess } from '../stack/service-process.js';
import { summarize, type LatencySummary } from '../stats/percentiles.js';
import { auditOrders, mergeCounts, type ListedOrder, type OrderAudit } from './order-audit.js';
import { highestHeld, nextRate } from '../stats/rate-schedule.js';

export const OPEN_LOOP_GENERATOR = generatorScript<OpenLoopJob, OpenLoopReport>(
  new URL('../load/open-loop.generator.ts', import.meta.url),
);

/** Two items and tok_approve: the lifecycle pgbench runs (created, paid, confirmed, delivered). */
export const CREATE_ORDER_BODY = JSON.stringify({
  query: 'mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { id status } }',
  variables: {
    input: {
      currency: 'EUR',
      paymentToken: 'tok_approve',
      items: [
        { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1250 },
        { sku: 'TEA-1', name: 'Tea', quantity: 1, unitPrice: 1250 },
      ],
    },
  },
});

/** How long a request may take before it counts as failed. */
const REQUEST_TIMEOUT_MS = 10_000;
/** How long to wait, after the load stops, for every order of a step to reach its final state. */
const DRAIN_TIMEOUT_MS = 60_000;

/**
 * One step at one rate. The read-back of its orders (found, finished, lost, doubled,
 * unacknowledged) is the OrderAudit's, without its raw lags.
 */
export interface LifecycleStep extends Omit<OrderAudit, 'lagsMs' | 'completedInWindow'> {
  /** createOrder requests per second offered (open loop). */
  rate: number;
  held: boolean;
  /** Why the rate was not held; empty when it was. */
  shortfalls: string[];
  /** Successful createOrder answers per second, over the measured window. */
  createdPerSecond: number;
  /** Orders that reached their final state per second, over the measured window. */
  completedPerSecond: number;
  /** createOrder latency, from when each request was due (open loop). */
  createLatencyMs: LatencySummary;
  /**
   * From an order's creation to its final state, by the database's own timestamps, for the
   * orders created in the measured window.
   */
  lagMs: LatencySummary;
  /** Errors: every answer that was neither an order nor a coded refusal. */
  failedRequests: number;
  failures: Record<string, number>;
  /** createOrders refused by admission control (503, Retry-After, SERVICE_OVERLOADED). */
  refused: number;
  /** Refusals per second over the measured window. */
  refusedPerSecond: number;
  /** Refusal latency, from when each request was due. */
  refusalLatencyMs: LatencySummary;
  /** Percent of one core over the measured window; database is null when it is in-process. */
  cpu: { ordersApi: number; paymentsApi: number; database: number | null; generator: number };
  /** The load generators' CPU per request they sent, in microseconds. */
  generatorMicrosPerRequest: number;
  generatorMaxSendLagMs: number;
  /**
   * Most requests unanswered at once, over the generators, and how many connections they may
   * open: at the limit, requests waited for a connection and their latency includes that wait.
   */
  generatorMaxInFlight: number;
  generatorConnections: number;
}

export interface LifecycleResult {
  backend: 'postgres' | 'pglite';
  steps: LifecycleStep[];
  highestHeldRate: number | null;
  /** The step at the highest held rate. */
  best: LifecycleStep | null;
  /** An order created and delivered here, for the order(id) scenario. */
  sampleOrderId: string | null;
  /** True when the time budget, not a failed rate, ended the rising rates. */
  stoppedByBudget: boolean;
}

export interface LifecycleTarget {
  backend: 'postgres' | 'pglite';
  orders: ServiceProcess;
  payments: ServiceProcess;
  /** Pids of the database server's backends serving this stack; null for an embedded database. */
  databasePids: (() => Promise<number[]>) | null;
}

const PAGE_QUERY = `query Page($after: String) {
  orders(first: 100, after: $after) {
    edges { node { id createdAt history { from to at } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

/**
 * Scenarios 2 and 3: open-loop createOrder at rising rates. Each step runs a warm-up and a
 * measured window, waits for every order of the step to reach its final state, then reads every
 * one back through the API to check its history and time its lifecycle.
 */
export async function runLifecycleThroughput(
  settings: BenchSettings,
  target: LifecycleTarget,
  rates: readonly number[],
  budgetS: number,
  log: (line: string) => void,
): Promise<LifecycleResult> {
  const steps: LifecycleStep[] = [];
  const tried: { rate: number; held: boolean }[] = [];
  let sampleOrderId: string | null = null;
  const deadline = Date.now() + budgetS * 1000;
  let stoppedByBudget = false;
  for (let rate = nextRate(rates, tried); rate !== null; rate = nextRate(rates, tried)) {
    if (Date.now() > deadline) {
      stoppedByBudget = true;
      log(`${target.backend}: time budget of ${budgetS} s spent; not trying ${rate}/s`);
      break;
    }
    const { step, someOrderId } = await runLoadStep(settings, target, rate);
    sampleOrderId ??= someOrderId;
    steps.push(step);
    tried.push({ rate, held: step.held });
    log(
      `${target.backend}: ${rate}/s offered: ${step.completedPerSecond.toFixed(0)}/s completed, ` +
        `create p99 ${step.createLatencyMs.p99?.toFixed(1) ?? '-'} ms, lag p99 ` +
        `${step.lagMs.p99?.toFixed(0) ?? '-'} ms, ${step.held ? 'held' : `not held: ${step.shortfalls.join('; ')}`}`,
    );
  }
  const top = highestHeld(tried);
  return {
    backend: target.backend,
    steps,
    highestHeldRate: top,
    best: steps.find((s) => s.rate === top && s.held) ?? null,
    sampleOrderId,
    stoppedByBudget,
  };
}

/**
 * One step of open-loop createOrder at `rate`: warm-up, measured window, then every order of
 * the step read back through the API once the step's work has settled. `held` says whether the
 * stack took the whole rate (the lifecycle's criterion; the overload scenario judges by its own).
 */
export async function runLoadStep(
  settings: BenchSettings,
  target: LifecycleTarget,
  rate: number,
): Promise<{ step: LifecycleStep; someOrderId: string | null }> {
  const url = graphqlUrl(target.orders);
  const warmupMs = settings.warmupS * 1000;
  const durationMs = settings.durationS * 1000;
  const generators = Array.from({ length: settings.loadProcesses }, (_, i) =>
    GeneratorProcess.start(OPEN_LOOP_GENERATOR, `open-loop-${i}`, { ...settings.baseEnv }),
  );
  // Children take a moment to load; the schedule starts once all of them surely have.
  const stepStart = Date.now() + 1_500;
  const measureStart = stepStart + warmupMs;
  const measureEnd = measureStart + durationMs;

  const services = new CpuMeter(() => [target.orders.pid]);
  const payments = new CpuMeter(() => [target.payments.pid]);
  let databasePids: number[] = [];
  const database = new CpuMeter(() => databasePids);
  const meters = [services, payments, database];
  const startMeters = setTimeout(() => {
    services.start();
    payments.start();
    // The backends serving the stack right now; the database meter starts once they are known.
    void (target.databasePids?.() ?? Promise.resolve([])).then((pids) => {
      databasePids = pids;
      database.start();
    });
  }, measureStart - Date.now());
  const stopMetersNow = () => {
    for (const meter of meters) meter.stop();
  };
  const stopMeters = setTimeout(stopMetersNow, measureEnd - Date.now());

  let reports: OpenLoopReport[];
  try {
    reports = await Promise.all(
      generators.map((generator) =>
        generator.ask({
          url,
          bodies: [CREATE_ORDER_BODY],
          rate: rate / generators.length,
          startAt: stepStart,
          warmupMs,
          durationMs,
          timeoutMs: REQUEST_TIMEOUT_MS,
        }),
      ),
    );
  } finally {
    clearTimeout(startMeters);
    clearTimeout(stopMeters);
    // The last request is due one interval before the window ends and may be answered sooner.
    stopMetersNow();
    await Promise.all(generators.map((g) => g.close()));
  }

  const listed = await readBackSince(url, stepStart);
  const audit = auditOrders(listed, new Set(reports.flatMap((r) => r.ids)), {
    start: measureStart,
    end: measureEnd,
  });
  const { lagsMs: _lags, completedInWindow, ...found } = audit;
  const { unfinished, badHistory, missing } = found;
  const failedRequests = reports.reduce((sum, r) => sum + r.failed, 0);
  const refused = reports.reduce((sum, r) => sum + r.refused, 0);
  const createdPerSecond = reports.reduce((sum, r) => sum + r.measuredOk, 0) / settings.durationS;
  const lagMs = summarize(audit.lagsMs);
  const createLatencyMs = summarize(reports.flatMap((r) => [...r.latenciesMs]));

  const shortfalls: string[] = [];
  if (createdPerSecond < 0.95 * rate) {
    shortfalls.push(`only ${createdPerSecond.toFixed(0)}/s created`);
  }
  if (failedRequests > 0) shortfalls.push(`${failedRequests} requests failed`);
  if (refused > 0) shortfalls.push(`${refused} refused as overload`);
  if (unfinished > 0) shortfalls.push(`${unfinished} orders unfinished`);
  if (badHistory > 0) shortfalls.push(`${badHistory} bad histories`);
  if (missing > 0) shortfalls.push(`${missing} acknowledged orders missing`);
  if ((lagMs.p99 ?? 0) > settings.maxLagMs) {
    shortfalls.push(`lifecycle p99 ${lagMs.p99?.toFixed(0) ?? '-'} ms > ${settings.maxLagMs} ms`);
  }
  const cpus: GeneratorCpu[] = reports.map((r) => r.cpu);
  const step: LifecycleStep = {
    rate,
    held: shortfalls.length === 0,
    shortfalls,
    createdPerSecond,
    completedPerSecond: completedInWindow / settings.durationS,
    createLatencyMs,
    lagMs,
    ...found,
    failedRequests,
    failures: mergeCounts(reports.map((r) => r.failures)),
    refused,
    refusedPerSecond: reports.reduce((sum, r) => sum + r.measuredRefused, 0) / settings.durationS,
    refusalLatencyMs: summarize(reports.flatMap((r) => [...r.refusalLatenciesMs])),
    cpu: {
      ordersApi: services.percent(),
      paymentsApi: payments.percent(),
      database: target.databasePids === null ? null : database.percent(),
      generator: generatorCpuPercent(cpus),
    },
    generatorMicrosPerRequest: cpuMicrosPerRequest(
      cpus,
      reports.reduce((sum, r) => sum + r.scheduled, 0),
    ),
    generatorMaxSendLagMs: Math.max(...reports.map((r) => r.maxSendLagMs)),
    generatorMaxInFlight: reports.reduce((sum, r) => sum + r.maxInFlight, 0),
    generatorConnections: MAX_CONNECTIONS * reports.length,
  };
  const someOrderId = listed.find((o) => o.history.length === 3)?.id ?? null;
  return { step, someOrderId };
}

/** Waits until no order created since `since` is in one of `statuses` (not yet final). */
export async function waitForDrain(
  url: string,
  since: number,
  statuses: readonly ('CREATED' | 'CONFIRMED')[] = ['CREATED', 'CONFIRMED'],
): Promise<void> {
  const query = `query Pending { ${statuses
    .map(
      (s) => `${s.toLowerCase()}: orders(first: 1, status: ${s}) { edges { node { createdAt } } }`,
    )
    .join(' ')} }`;
  const deadline = Date.now() + DRAIN_TIMEOUT_MS;
  type Edges = { edges: { node: { createdAt: string } }[] };
  while (Date.now() < deadline) {
    const pending = await queryGraphQL<Record<string, Edges>>(url, query);
    const newest = Object.values(pending).flatMap((page) =>
      page.edges.map((e) => Date.parse(e.node.createdAt)),
    );
    if (!newest.some((createdAt) => createdAt >= since)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Every order created at or after `since`, newest first, read through the public API once
 * none of them is still on its way (see waitForDrain).
 */
export async function readBackSince(url: string, since: number): Promise<ListedOrder[]> {
  await waitForDrain(url, since);
  const found: ListedOrder[] = [];
  let after: string | null = null;
  for (;;) {
    const page: {
      orders: {
        edges: { node: ListedOrder }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    } = await queryGraphQL(url, PAGE_QUERY, { after });
    for (const { node } of page.orders.edges) {
      if (Date.parse(node.createdAt) < since) return found;
      found.push(node);
    }
    if (!page.orders.pageInfo.hasNextPage || page.orders.pageInfo.endCursor === null) return found;
    after = page.orders.pageInfo.endCursor;
  }
}
