import type { BenchSettings } from '../config/bench-settings.js';
import {
  GeneratorProcess,
  generatorCpuPercent,
  generatorScript,
  runGenerator,
} from '../load/generator-process.js';
import type {
  ResumeCollectedReply,
  ResumingSubscriberSpec,
  ResumingSubscribersMessage,
  StartedReply,
} from '../load/resuming-subscribers.generator.js';
import { CpuMeter, waitUntilIdle } from '../machine/process-usage.js';
import { graphqlUrl, queryGraphQL, startOrdersApi, type DataPlace } from '../stack/bench-stack.js';
import type { ServiceProcess } from '../stack/service-process.js';
import { summarize, type LatencySummary } from '../stats/percentiles.js';
import { CREATE_ORDER_BODY, OPEN_LOOP_GENERATOR, waitForDrain } from './lifecycle-throughput.js';

const RESUMING_GENERATOR = generatorScript<
  ResumingSubscribersMessage,
  StartedReply | ResumeCollectedReply
>(new URL('../load/resuming-subscribers.generator.ts', import.meta.url));

/** Subscriptions each generator process starts at once. */
const START_CONCURRENCY = 25;
/** Orders per second created to be watched (before the measured part). */
const CREATE_RATE = 300;
/** Clients per generator process. */
const CLIENTS_PER_GENERATOR = 500;

const CANCEL_MUTATION =
  'mutation Cancel($id: ID!) { cancelOrder(id: $id, reason: "bench resume") { id status } }';
const LOG_PAGE = `query Log($after: String, $first: Int) { orderEvents(after: $after, first: $first) {
  pageInfo { hasNextPage endCursor } } }`;

export interface ResumeResult {
  subscribers: number;
  /** Of which, subscribed to every order (the rest: one order each). */
  firehose: number;
  /** Mean seconds between a subscriber's drops. */
  resumeIntervalS: number;
  /** Reconnections made, each resuming from the last cursor the subscriber saw. */
  resumes: number;
  eventRate: number;
  cancelled: number;
  cancelFailures: number;
  received: number;
  /** From the transition's database timestamp to its arrival, replayed ones included. */
  latencyMs: LatencySummary;
  missed: number;
  duplicated: number;
  outOfOrder: number;
  errors: number;
  errorSamples: string[];
  cpu: { ordersApi: number; generator: number };
  /** Nothing missed, doubled, out of order or broken. */
  complete: boolean;
}

/**
 * Subscribers to `orderEvents` (a few on every order, the rest on one order each) that drop
 * their socket every few seconds and subscribe again from their last cursor, while orders are
 * cancelled at a steady rate. Each is owed every cancel of what it watches, once, in order.
 */
export async function runResumableStream(
  settings: BenchSettings,
  place: DataPlace,
  payments: ServiceProcess,
  profilesDir: string,
  log: (line: string) => void,
): Promise<ResumeResult> {
  const subscribers = settings.resumeSubscribers;
  // Confirmed orders wait an hour for delivery, so the only transitions are the cancels we make.
  const server = await startOrdersApi(settings, place, payments, profilesDir, {
    env: { DELIVERY_DELAY_SECONDS: '3600' },
    name: 'orders-api-resume',
  });
  const generators: GeneratorProcess<
    ResumingSubscribersMessage,
    StartedReply | ResumeCollectedReply
  >[] = [];
  try {
    const url = graphqlUrl(server);
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
    const startCursor = await logEnd(url);

    const firehose = Math.min(settings.firehoseSubscribers, subscribers);
    const specs: ResumingSubscriberSpec[] = Array.from({ length: subscribers }, (_, j) => ({
      orderId: j < firehose ? null : (orderIds[(j - firehose) % orderIds.length] ?? null),
    }));
    const generatorCount = Math.max(1, Math.ceil(subscribers / CLIENTS_PER_GENERATOR));
    for (let i = 0; i < generatorCount; i++) {
      generators.push(
        GeneratorProcess.start(RESUMING_GENERATOR, `resuming-subscribers-${i}`, {
          ...settings.baseEnv,
        }),
      );
    }
    const wsUrl = url.replace(/^http/, 'ws');
    const started = (await Promise.all(
      generators.map((generator, i) =>
        generator.ask({
          type: 'start',
          wsUrl,
          clients: specs.filter((_, j) => j % generatorCount === i),
          startCursor,
          resumeIntervalMs: settings.resumeIntervalS * 1000,
          concurrency: START_CONCURRENCY,
        }),
      ),
    )) as StartedReply[];
    log(
      `resume: ${started.reduce((n, s) => n + s.started, 0)} subscribers started, ` +
        `each resuming every ~${settings.resumeIntervalS} s`,
    );

    const serverCpu = new CpuMeter(() => [server.pid]);
    const startAt = Date.now() + 1_000;
    const measureStart = startAt + settings.warmupS * 1000;
    const measureEnd = measureStart + settings.durationS * 1000;
    const startMeter = setTimeout(() => {
      serverCpu.start();
    }, measureStart - Date.now());
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
    serverCpu.stop();
    // The subscribers keep dropping and resuming while the last events reach them.
    await waitUntilIdle([server.pid], 5, 1_000);
    await new Promise((resolve) => setTimeout(resolve, settings.resumeIntervalS * 1000));

    const collected = (await Promise.all(
      generators.map((generator) =>
        generator.ask({ type: 'collect', measureStart, measureEnd, cancelled: driver.ids }),
      ),
    )) as ResumeCollectedReply[];
    const sum = (pick: (c: ResumeCollectedReply) => number) =>
      collected.reduce((total, c) => total + pick(c), 0);
    const missed = sum((c) => c.missed);
    const duplicated = sum((c) => c.duplicated);
    const outOfOrder = sum((c) => c.outOfOrder);
    const errors = sum((c) => c.errors);
    return {
      subscribers,
      firehose,
      resumeIntervalS: settings.resumeIntervalS,
      resumes: sum((c) => c.resumes),
      eventRate: settings.eventRate,
      cancelled: driver.ids.length,
      cancelFailures: driver.failed,
      received: sum((c) => c.received),
      latencyMs: summarize(collected.flatMap((c) => [...c.latenciesMs])),
      missed,
      duplicated,
      outOfOrder,
      errors,
      errorSamples: collected.flatMap((c) => c.errorSamples).slice(0, 5),
      cpu: {
        ordersApi: serverCpu.percent(),
        generator: generatorCpuPercent([...collected.map((c) => c.cpu), driver.cpu]),
      },
      complete:
        missed === 0 && duplicated === 0 && outOfOrder === 0 && errors === 0 && driver.failed === 0,
    };
  } finally {
    await Promise.all(generators.map((g) => g.close()));
    await server.stop();
  }
}

/** The cursor of the last event in the log: every subscriber starts after it. */
async function logEnd(url: string): Promise<string> {
  let after: string | null = null;
  let last: string | null = null;
  for (;;) {
    const page: {
      orderEvents: { pageInfo: { hasNextPage: boolean; endCursor: string | null } };
    } = await queryGraphQL(url, LOG_PAGE, { after, first: 500 });
    last = page.orderEvents.pageInfo.endCursor ?? last;
    if (!page.orderEvents.pageInfo.hasNextPage) break;
    after = last;
  }
  if (last === null) throw new Error('the transition log is empty');
  return last;
}
