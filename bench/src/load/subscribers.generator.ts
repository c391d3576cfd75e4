// A child process holding thousands of graphql-ws subscribers, each on one order or on all of
// them. It records every event it receives, so the parent can tell how late each one arrived
// (from the transition's own timestamp) and whether any was missed or came twice.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { serveParent, startCpuClock, type GeneratorCpu } from './generator-process.js';

export interface SubscriberSpec {
  /** Index into `wsUrls`: the orders-api process this client connects to. */
  server: number;
  /** The order it watches; null: every order. */
  orderId: string | null;
}

export type SubscribersMessage =
  | {
      type: 'connect';
      wsUrls: string[];
      clients: SubscriberSpec[];
      concurrency: number;
      /** Date.now() after which no new connection is started (the rest count as failed). */
      deadline: number;
    }
  | {
      type: 'collect';
      /** Date.now() bounds of the measured window; events stamped outside it are not timed. */
      measureStart: number;
      measureEnd: number;
      /** Every order whose cancel succeeded: each watcher of it is owed exactly one event. */
      cancelled: string[];
    };

export interface ConnectedReply {
  connected: number;
  failed: number;
  failures: Record<string, number>;
  elapsedMs: number;
}

export interface CollectedReply {
  received: number;
  /** Events stamped inside the measured window. */
  measured: number;
  /** Milliseconds from the transition's timestamp to its arrival here, for measured events. */
  latenciesMs: Float64Array;
  /** Events owed (a watched order was cancelled) that never arrived. */
  missed: number;
  /** Events that arrived more than once. */
  duplicated: number;
  /** Events for orders no one cancelled. */
  unexpected: number;
  /** Subscriptions that ended with an error or were closed by the server. */
  broken: number;
  cpu: GeneratorCpu;
}

interface Watcher {
  orderId: string | null;
  /** Events received, by order id. */
  seen: Map<string, number>;
  broken: boolean;
}

const SUBSCRIPTION = `subscription Watch($id: ID) { orderUpdated(id: $id) { id status updatedAt } }`;

interface Event {
  orderUpdated: { id: string; status: string; updatedAt: string };
}

const watchers: Watcher[] = [];
const clients: Client[] = [];
const latencies: number[] = [];
const stampedAt: number[] = [];
let stopCpu: (() => GeneratorCpu) | null = null;

function watch(url: string, spec: SubscriberSpec): Promise<string | null> {
  const watcher: Watcher = { orderId: spec.orderId, seen: new Map(), broken: false };
  return new Promise((resolve) => {
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      lazy: false,
      retryAttempts: 0,
      connectionAckWaitTimeout: 60_000,
      on: {
        connected: () => {
          watchers.push(watcher);
          client.subscribe<Event>(
            { query: SUBSCRIPTION, variables: { id: spec.orderId } },
            {
              next: ({ data }) => {
                const order = data?.orderUpdated;
                if (order === undefined) return;
                const stamp = Date.parse(order.updatedAt);
                // Timestamps have millisecond precision; rounding may put one a hair ahead.
                latencies.push(Math.max(0, Date.now() - stamp));
                stampedAt.push(stamp);
                watcher.seen.set(order.id, (watcher.seen.get(order.id) ?? 0) + 1);
              },
              error: () => {
                watcher.broken = true;
              },
              complete: () => {
                watcher.broken = true;
              },
            },
          );
          resolve(null);
        },
        closed: (event) => {
          watcher.broken = true;
          const code = (event as { code?: number } | undefined)?.code;
          resolve(`closed ${code ?? ''}`.trim());
        },
        error: (error) => {
          resolve(error instanceof Error ? error.message : 'connection error');
        },
      },
    });
    clients.push(client);
  });
}

async function connect(
  message: Extract<SubscribersMessage, { type: 'connect' }>,
): Promise<ConnectedReply> {
  const started = performance.now();
  const failures: Record<string, number> = {};
  let next = 0;
  let failed = 0;
  // A bounded number of handshakes at a time keeps the server's accept queue from overflowing.
  const lane = async () => {
    while (next < message.clients.length) {
      if (Date.now() > message.deadline) {
        const left = message.clients.length - next;
        next = message.clients.length;
        failed += left;
        failures['not started: connect deadline passed'] = left;
        break;
      }
      const spec = message.clients[next++];
      if (spec === undefined) break;
      const failure = await watch(message.wsUrls[spec.server] ?? '', spec);
      if (failure !== null) {
        failed++;
        failures[failure] = (failures[failure] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, lane));
  stopCpu = startCpuClock();
  return {
    connected: message.clients.length - failed,
    failed,
    failures,
    elapsedMs: performance.now() - started,
  };
}

function collect(message: Extract<SubscribersMessage, { type: 'collect' }>): CollectedReply {
  const cancelled = new Set(message.cancelled);
  let missed = 0;
  let duplicated = 0;
  let unexpected = 0;
  let broken = 0;
  for (const watcher of watchers) {
    if (watcher.broken) broken++;
    const owed = watcher.orderId === null ? [...cancelled] : [watcher.orderId];
    for (const id of owed) {
      const count = watcher.seen.get(id) ?? 0;
      if (!cancelled.has(id)) continue;
      if (count === 0) missed++;
      if (count > 1) duplicated += count - 1;
    }
    for (const [id, count] of watcher.seen) if (!cancelled.has(id)) unexpected += count;
  }
  const measuredLatencies: number[] = [];
  for (let i = 0; i < latencies.length; i++) {
    const stamp = stampedAt[i] ?? 0;
    if (stamp >= message.measureStart && stamp < message.measureEnd) {
      measuredLatencies.push(latencies[i] ?? 0);
    }
  }
  return {
    received: latencies.length,
    measured: measuredLatencies.length,
    latenciesMs: Float64Array.from(measuredLatencies),
    missed,
    duplicated,
    unexpected,
    broken,
    cpu: stopCpu?.() ?? { userMs: 0, systemMs: 0, wallMs: 0 },
  };
}

serveParent((message: SubscribersMessage) =>
  message.type === 'connect' ? connect(message) : Promise.resolve(collect(message)),
);
