import type { BenchSettings } from '../config/bench-settings.js';
import { generatorScript, runGenerator } from '../load/generator-process.js';
import type { ClosedLoopJob, ClosedLoopReport } from '../load/closed-loop.generator.js';
import { CpuMeter } from '../machine/process-usage.js';
import { graphqlUrl } from '../stack/bench-stack.js';
import type { ServiceProcess } from '../stack/service-process.js';

const CLOSED_LOOP_GENERATOR = generatorScript<ClosedLoopJob, ClosedLoopReport>(
  new URL('../load/closed-loop.generator.ts', import.meta.url),
);

/** What a client showing one order asks for: the order, its items and its history. */
export const ORDER_QUERY = `query Order($id: ID!) {
  order(id: $id) {
    id status total currency createdAt updatedAt cancellationReason
    items { sku name quantity unitPrice }
    history { from to at reason }
  }
}`;

/** The cheapest operation the server can answer: no resolver of ours runs. */
export const TRIVIAL_QUERY = '{ __typename }';

export interface QueryRun extends ClosedLoopReport {
  /** orders-api's CPU, percent of one core, over the measured run. */
  serverCpuPercent: number;
}

export interface QueryResult {
  connections: number;
  order: QueryRun;
  trivial: QueryRun;
  /** order(id) throughput as a share of the trivial query's: the part our code costs. */
  ratio: number;
}

async function measure(
  settings: BenchSettings,
  orders: ServiceProcess,
  body: string,
): Promise<QueryRun> {
  const url = graphqlUrl(orders);
  // The exact answer, taken once: every measured answer must match it to count.
  const expected = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  }).then((response) => response.text());
  if (expected.includes('"errors"')) throw new Error(`query failed: ${expected}`);
  const meter = new CpuMeter(() => [orders.pid]);
  // The meter covers warm-up and run; autocannon reports only the run, so warm-up is kept short.
  const job: ClosedLoopJob = {
    url,
    body,
    connections: settings.queryConnections,
    warmupS: settings.warmupS,
    durationS: settings.durationS,
    expectBody: expected,
  };
  const started = setTimeout(
    () => {
      meter.start();
    },
    settings.warmupS * 1000 + 500,
  );
  const report = await runGenerator(
    CLOSED_LOOP_GENERATOR,
    'autocannon',
    { ...settings.baseEnv },
    job,
  );
  clearTimeout(started);
  meter.stop();
  return { ...report, serverCpuPercent: meter.percent() };
}

/**
 * Scenario 4: order(id) as fast as one orders-api process answers it, beside `{ __typename }`
 * on the same process: Apollo, Express and the operation limits with nothing of ours to run.
 */
export async function runQueryThroughput(
  settings: BenchSettings,
  orders: ServiceProcess,
  orderId: string,
): Promise<QueryResult> {
  const order = await measure(
    settings,
    orders,
    JSON.stringify({ query: ORDER_QUERY, variables: { id: orderId } }),
  );
  const trivial = await measure(settings, orders, JSON.stringify({ query: TRIVIAL_QUERY }));
  return {
    connections: settings.queryConnections,
    order,
    trivial,
    ratio: trivial.requestsPerSecond > 0 ? order.requestsPerSecond / trivial.requestsPerSecond : 0,
  };
}
