// A child process holding graphql-ws subscribers to `orderEvents` that each drop their
// connection every few seconds and subscribe again from the cursor of the last event they got.
// It records every event, so the parent can tell whether any was missed, doubled or out of order
// across the resumes, and how late each arrived (from the transition's own timestamp).
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { serveParent, startCpuClock, type GeneratorCpu } from './generator-process.js';

export interface ResumingSubscriberSpec {
  /** The order it watches; null: every order. */
  orderId: string | null;
}

export type ResumingSubscribersMessage =
  | {
      type: 'start';
      wsUrl: string;
      clients: ResumingSubscriberSpec[];
      /** Where every client starts: the log's end when the watched orders were ready. */
      startCursor: string;
      /** Mean time between a client's drops; each waits between half and one and a half of it. */
      resumeIntervalMs: number;
      /** Subscriptions started at once while starting (the rest wait their turn). */
      concurrency: number;
    }
  | {
      type: 'collect';
      measureStart: number;
      measureEnd: number;
      /** Every order whose cancel succeeded: each watcher of it is owed its CANCELLED event. */
      cancelled: string[];
    };

export interface StartedReply {
  started: number;
  elapsedMs: number;
}

export interface ResumeCollectedReply {
  received: number;
  measured: number;
  latenciesMs: Float64Array;
  /** Owed CANCELLED events that never arrived. */
  missed: number;
  /** Events that arrived more than once (by cursor). */
  duplicated: number;
  /** Events whose cursor did not come after the one before it. */
  outOfOrder: number;
  /** Reconnections made (each a subscription resumed from a cursor). */
  resumes: number;
  /** Subscriptions that ended with an error the client did not cause. */
  errors: number;
  errorSamples: string[];
  cpu: GeneratorCpu;
}

const SUBSCRIPTION = `subscription Resume($id: ID, $after: String) {
  orderEvents(id: $id, after: $after) { cursor orderId to at }
}`;

interface Event {
  orderEvents: { cursor: string; orderId: string; to: string; at: string };
}

class Watcher {
  cursor: string;
  readonly cursors = new Map<string, number>();
  readonly cancelledSeen = new Map<string, number>();
  outOfOrder = 0;
  resumes = 0;
  errors = 0;
  private client: Client | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    readonly orderId: string | null,
    startCursor: string,
    private readonly intervalMs: number,
  ) {
    this.cursor = startCursor;
  }

  /** Connects and subscribes from the cursor; resolves once the server acknowledged the socket. */
  connect(): Promise<void> {
    return new Promise((resolve) => {
      const client = createClient({
        url: this.url,
        webSocketImpl: WebSocket,
        lazy: false,
        retryAttempts: 0,
        connectionAckWaitTimeout: 60_000,
        on: {
          connected: () => {
            resolve();
          },
          closed: () => {
            resolve();
          },
        },
      });
      this.client = client;
      client.subscribe<Event>(
        { query: SUBSCRIPTION, variables: { id: this.orderId, after: this.cursor } },
        {
          next: ({ data, errors }) => {
            // What still arrives on a socket being dropped is lost, as it would be on a real drop.
            if (this.client !== client) return;
            if (errors !== undefined) this.fail(JSON.stringify(errors));
            const event = data?.orderEvents;
            if (event === undefined) return;
            this.receive(event);
          },
          error: (error: unknown) => {
            // A socket we closed ourselves ends its subscription with an error too.
            if (this.client === client && !this.stopped) this.fail(describe(error));
          },
          complete: () => undefined,
        },
      );
      this.timer = setTimeout(
        () => {
          this.resume().catch((error: unknown) => {
            this.fail(`resume failed: ${describe(error)}`);
          });
        },
        this.intervalMs * (0.5 + Math.random()),
      );
    });
  }

  private receive(event: Event['orderEvents']): void {
    const now = Date.now();
    const stamp = Date.parse(event.at);
    latencies.push(Math.max(0, now - stamp));
    stampedAt.push(stamp);
    if (event.cursor <= this.cursor) this.outOfOrder++;
    else this.cursor = event.cursor;
    this.cursors.set(event.cursor, (this.cursors.get(event.cursor) ?? 0) + 1);
    if (event.to === 'CANCELLED') {
      this.cancelledSeen.set(event.orderId, (this.cancelledSeen.get(event.orderId) ?? 0) + 1);
    }
  }

  private fail(message: string): void {
    this.errors++;
    if (errorSamples.length < 5) errorSamples.push(message);
  }

  /** Drops the connection and subscribes again from the last cursor seen. */
  private async resume(): Promise<void> {
    if (this.stopped) return;
    const old = this.client;
    this.client = null;
    await old?.dispose();
    // Collecting may have begun while the old socket closed.
    if (this.isStopped()) return;
    this.resumes++;
    await this.connect();
  }

  private isStopped(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    await this.client?.dispose();
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? `closed ${code}` : JSON.stringify(error);
}

const watchers: Watcher[] = [];
const latencies: number[] = [];
const stampedAt: number[] = [];
const errorSamples: string[] = [];
let stopCpu: (() => GeneratorCpu) | null = null;

async function start(
  message: Extract<ResumingSubscribersMessage, { type: 'start' }>,
): Promise<StartedReply> {
  const started = performance.now();
  let next = 0;
  const lane = async () => {
    while (next < message.clients.length) {
      const spec = message.clients[next++];
      if (spec === undefined) break;
      const watcher = new Watcher(
        message.wsUrl,
        spec.orderId,
        message.startCursor,
        message.resumeIntervalMs,
      );
      watchers.push(watcher);
      await watcher.connect();
    }
  };
  await Promise.all(Array.from({ length: message.concurrency }, lane));
  stopCpu = startCpuClock();
  return { started: watchers.length, elapsedMs: performance.now() - started };
}

async function collect(
  message: Extract<ResumingSubscribersMessage, { type: 'collect' }>,
): Promise<ResumeCollectedReply> {
  await Promise.all(watchers.map((w) => w.stop()));
  const cancelled = new Set(message.cancelled);
  let missed = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  let resumes = 0;
  let errors = 0;
  for (const watcher of watchers) {
    outOfOrder += watcher.outOfOrder;
    resumes += watcher.resumes;
    errors += watcher.errors;
    for (const count of watcher.cursors.values()) if (count > 1) duplicated += count - 1;
    const owed = watcher.orderId === null ? [...cancelled] : [watcher.orderId];
    for (const id of owed) {
      if (cancelled.has(id) && (watcher.cancelledSeen.get(id) ?? 0) === 0) missed++;
    }
  }
  const measured: number[] = [];
  for (let i = 0; i < latencies.length; i++) {
    const stamp = stampedAt[i] ?? 0;
    if (stamp >= message.measureStart && stamp < message.measureEnd)
      measured.push(latencies[i] ?? 0);
  }
  return {
    received: latencies.length,
    measured: measured.length,
    latenciesMs: Float64Array.from(measured),
    missed,
    duplicated,
    outOfOrder,
    resumes,
    errors,
    errorSamples,
    cpu: stopCpu?.() ?? { userMs: 0, systemMs: 0, wallMs: 0 },
  };
}

serveParent((message: ResumingSubscribersMessage) =>
  message.type === 'start' ? start(message) : collect(message),
);
