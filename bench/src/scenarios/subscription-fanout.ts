import type { BenchSettings } from '../config/bench-settings.js';
import {
  GeneratorProcess,
  generatorCpuPercent,
  generatorScript,
  runGenerator,
} from '../load/generator-process.js';
import type {
  CollectedReply,
  ConnectedReply,
  SubscriberSpec,
  SubscribersMessage,
} from '../load/subscribers.generator.js';
import { CpuMeter, openFilesLimit, waitUntilIdle } from '../machine/process-usage.js';
import { graphqlUrl, startOrdersApi, type DataPlace } from '../stack/bench-stack.js';
import type { ServiceProcess } from '../stack/service-process.js';
import { summarize, type LatencySummary } from '../stats/percentiles.js';
import { CREATE_ORDER_BODY, OPEN_LOOP_GENERATOR, waitForDrain } from './lifecycle-throughput.js';

const SUBSCRIBERS_GENERATOR = generatorScript<SubscribersMessage, ConnectedReply | CollectedReply>(
  new URL('../load/subscribers.generator.ts', import.meta.url),
);

/** Clients one generator process holds at most. */
const CLIENTS_PER_GENERATOR = 5_000;
/** Handshakes in flight per generator process. */
const CONNECT_CONCURRENCY = 50;
/**
 * Longest a step may spend connecting its clients. Each subscribe is parsed and validated anew
 * on the server (bench/README.md), so on a loaded machine connecting is slow; the step then goes
 * on with the clients it has and says how many did not connect.
 */
const CONNECT_DEADLINE_MS = 45_000;
/** Orders per second created to be watched (before the measured part of a step). */
const CREATE_RATE = 300;
/** File descriptors an orders-api process keeps for everything but subscribers. */
const RESERVED_FDS = 512;

const CANCEL_MUTATION =
  'mutation Cancel($id: ID!) { cancelOrder(id: $id, reason: "bench fan-out") { id status } }';

export interface FanoutStep {
  subscribers: number;
  /** Of which, subscribed to every order. */
  firehose: number;
  /** orders-api processes the subscribers were spread over (see openFilesLimit). */
  processes: number;
  watchedOrders: number;
  connected: number;
  connectFailures: Record<string, number>;
  connectSeconds: number;
  /** Cancels per second offered; each is one transition, i.e. one event per watcher. */
  eventRate: number;
  cancelled: number;
  cancelFailures: number;
  /** Events received by clients per second, over the measured window. */
  deliveredPerSecond: number;
  /** From the transition's database timestamp to its arrival at the client. */
  latencyMs: LatencySummary;
  missed: number;
  duplicated: number;
  unexpected: number;
  broken: number;
  /** orders-api resident memory, summed over its processes. */
  rssBaselineBytes: number;
  rssLoadedBytes: number;
  rssPerConnectionBytes: number;
  /** Percent of one core over the measured window. */
  cpu: { ordersApi: number; generator: number };
  /** Nothing missed, doubled or broken, and every client connected. */
  complete: boolean;
}

export interface FanoutResult {
  openFilesLimit: number | null;
  steps: FanoutStep[];
}

/**
 * Scenario 5: N graphql-ws clients (a few on every order, the rest on one order each) on
 * orders-api, while orders are cancelled at a steady rate. Every event is checked off against
 * the cancels that succeeded, and timed from the transition's own timestamp.
 */
export async function runSubscriptionFanout(
  settings: BenchSettings,
  place: DataPlace,
  payments: ServiceProcess,
  profilesDir: string,
  log: (line: string) => void,
): Promise<FanoutResult> {
  const limit = openFilesLimit();
  const steps: FanoutStep[] = [];
  for (const subscribers of settings.subscribers) {
    const step = await runStep(settings, place, payments, profilesDir, subscribers, limit, log);
    steps.push(step);
    log(
      `fan-out: ${subscribers} subscribers on ${step.processes} process(es): ` +
        `${step.deliveredPerSecond.toFixed(0)} events/s, p99 ${step.latencyMs.p99?.toFixed(0) ?? '-'} ms, ` +
        `${(step.rssPerConnectionBytes / 1024).toFixed(1)} kB/connection, missed ${step.missed}`,
    );
  }
  return { openFilesLimit: limit, steps };
}

async function runStep(
  settings: BenchSettings,
  place: DataPlace,
  payments: ServiceProcess,
  profilesDir: string,
  subscribers: number,
  fdLimit: number | null,
  log: (line: string) => void,
): Promise<FanoutStep> {
  const capacity = fdLimit === null ? subscribers : Math.max(1, fdLimit - RESERVED_FDS);
  const processCount = Math.ceil(subscribers / capacity);
  if (processCount > 1) {
    log(
      `fan-out: ${subscribers} sockets exceed one process's open-files limit (${fdLimit}); ` +
        `spreading them over ${processCount} orders-api processes`,
    );
  }
  // Confirmed orders wait an hour for delivery, so the only transitions are the cancels we make.
  const servers: ServiceProcess[] = [];
  const generators: GeneratorProcess<SubscribersMessage, ConnectedReply | CollectedReply>[] = [];
  try {
    for (let i = 0; i < processCount; i++) {
      servers.push(
        await startOrdersApi(settings, place, payments, profilesDir, {
          env: { DELIVERY_DELAY_SECONDS: '3600' },
          name: `orders-api-${i}`,
        }),
      );
    }
    const first = servers[0];
    if (first === undefined) throw new Error('no orders-api process');
    const url = graphqlUrl(first);
    // One fresh order per cancel: a cancel of a cancelled order changes nothing.
    const watchedOrders = Math.round(settings.eventRate * (settings.warmupS + settings.durationS));

    const createdSince = Date.now();
    const created = await runGenerator(
      OPEN_LOOP_GENERATOR,
      'create-watched-orders',
      { ...settings.baseEnv },
      {
        url,
        bodies: [CREATE_ORDER_BODY],
        rate: CREATE_RATE,
        startAt: Date.now() + 500,
        warmupMs: 0,
        durationMs: (watchedOrders / CREATE_RATE) * 1000,
        timeoutMs: 30_000,
      },
    );
    const orderIds = created.ids;
    if (orderIds.length === 0) throw new Error('could not create the orders to watch');
    await waitForDrain(url, createdSince, ['CREATED']);
    await waitUntilIdle(servers.map((s) => s.pid));
    const rssBaselineBytes = sumRss(servers);

    const firehose = Math.min(settings.firehoseSubscribers, subscribers);
    const specs: SubscriberSpec[] = Array.from({ length: subscribers }, (_, j) => ({
      server: j % servers.length,
      orderId: j < firehose ? null : (orderIds[(j - firehose) % orderIds.length] ?? null),
    }));
    const generatorCount = Math.min(
      Math.max(settings.subscriberProcesses, Math.ceil(subscribers / CLIENTS_PER_GENERATOR)),
      Math.ceil(subscribers / 100),
    );
    for (let i = 0; i < generatorCount; i++) {
      generators.push(
        GeneratorProcess.start(SUBSCRIBERS_GENERATOR, `subscribers-${i}`, {
          ...settings.baseEnv,
        }),
      );
    }
    const wsUrls = servers.map((s) => graphqlUrl(s).replace(/^http/, 'ws'));
    const connectStarted = performance.now();
    const connected = (await Promise.all(
      generators.map((generator, i) =>
        generator.ask({
          type: 'connect',
          wsUrls,
          clients: specs.filter((_, j) => j % generatorCount === i),
          concurrency: CONNECT_CONCURRENCY,
          deadline: Date.now() + CONNECT_DEADLINE_MS,
        }),
      ),
    )) as ConnectedReply[];
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    // Subscribing checks each order exists; the server is done with that once it goes quiet.
    await waitUntilIdle(servers.map((s) => s.pid));
    const rssConnectedBytes = sumRss(servers);

    const serverCpu = new CpuMeter(() => servers.map((s) => s.pid));
    const startAt = Date.now() + 1_000;
    const measureStart = startAt + settings.warmupS * 1000;
    const measureEnd = measureStart + settings.durationS * 1000;
    const startMeter = setTimeout(() => {
      serverCpu.start();
    }, measureStart - Date.now());
    const stopMeter = setTimeout(() => {
      serverCpu.stop();
    }, measureEnd - Date.now());
    const cancelBodies = orderIds.map((id) =>
      JSON.stringify({ query: CANCEL_MUTATION, variables: { id } }),
    );
    const driver = await runGenerator(
      OPEN_LOOP_GENERATOR,
      'cancel-orders',
      { ...settings.baseEnv },
      {
        url,
        bodies: cancelBodies,
        rate: settings.eventRate,
        startAt,
        warmupMs: settings.warmupS * 1000,
        durationMs: settings.durationS * 1000,
        timeoutMs: 10_000,
      },
    );
    clearTimeout(startMeter);
    clearTimeout(stopMeter);
    // The last cancel is due one interval before the window ends and may be answered sooner.
    serverCpu.stop();
    // Events still on their way when the last cancel was answered.
    await waitUntilIdle(
      servers.map((s) => s.pid),
      5,
      1_000,
    );
    const rssLoadedBytes = Math.max(rssConnectedBytes, sumRss(servers));

    const collected = (await Promise.all(
      generators.map((generator) =>
        generator.ask({ type: 'collect', measureStart, measureEnd, cancelled: driver.ids }),
      ),
    )) as CollectedReply[];
    const sum = (pick: (c: CollectedReply) => number) =>
      collected.reduce((total, c) => total + pick(c), 0);
    const connectFailures: Record<string, number> = {};
    for (const reply of connected) {
      for (const [reason, count] of Object.entries(reply.failures)) {
        connectFailures[reason] = (connectFailures[reason] ?? 0) + count;
      }
    }
    const connectedCount = connected.reduce((total, c) => total + c.connected, 0);
    const missed = sum((c) => c.missed);
    const duplicated = sum((c) => c.duplicated);
    const broken = sum((c) => c.broken);
    return {
      subscribers,
      firehose,
      processes: servers.length,
      watchedOrders: orderIds.length,
      connected: connectedCount,
      connectFailures,
      connectSeconds,
      eventRate: settings.eventRate,
      cancelled: driver.ids.length,
      cancelFailures: driver.failed,
      deliveredPerSecond: sum((c) => c.measured) / settings.durationS,
      latencyMs: summarize(collected.flatMap((c) => [...c.latenciesMs])),
      missed,
      duplicated,
      unexpected: sum((c) => c.unexpected),
      broken,
      rssBaselineBytes,
      rssLoadedBytes,
      rssPerConnectionBytes:
        connectedCount > 0 ? Math.max(0, rssLoadedBytes - rssBaselineBytes) / connectedCount : 0,
      cpu: {
        ordersApi: serverCpu.percent(),
        generator: generatorCpuPercent([...collected.map((c) => c.cpu), driver.cpu]),
      },
      complete:
        connectedCount === subscribers &&
        missed === 0 &&
        duplicated === 0 &&
        broken === 0 &&
        driver.failed === 0,
    };
  } finally {
    await Promise.all(generators.map((g) => g.close()));
    await Promise.all(servers.map((s) => s.stop()));
  }
}

function sumRss(servers: readonly ServiceProcess[]): number {
  return servers.reduce((total, s) => total + (s.usage()?.rssBytes ?? 0), 0);
}
