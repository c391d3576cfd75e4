import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import type { Recording, SeenTransition } from './invariant-checks.js';

/**
 * A subscriber to every order's transitions over graphql-ws, recording what it receives and how
 * its connection ended (a close code other than a normal one is a problem).
 */
export class TransitionRecorder implements Recording {
  /** Close codes the socket ended with, in order. */
  readonly closeCodes: number[] = [];
  private readonly seen: SeenTransition[] = [];
  private readonly issues: string[] = [];
  private readonly client: Client;
  private stopped = false;
  /** Orders it must see whole; with `all`, every order but those created before it was live. */
  private readonly required = new Set<string>();
  private all = false;
  private readonly earlier = new Set<string>();

  private constructor(
    readonly name: string,
    url: string,
  ) {
    this.client = createClient({
      url,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      // The close is recorded below; graphql-ws would print the event to the console.
      onNonLazyError: () => undefined,
      on: {
        closed: (event) => {
          const code = (event as { code?: number }).code ?? 0;
          this.closeCodes.push(code);
          if (!this.stopped) this.issues.push(`connection closed (${code}) while recording`);
        },
      },
    });
    this.client.subscribe<{
      orderUpdated: { id: string; status: string; history: { to: string }[] };
    }>(
      { query: 'subscription { orderUpdated { id status history { to } } }' },
      {
        next: (result) => {
          if (result.errors) this.issues.push(`errors: ${JSON.stringify(result.errors)}`);
          const order = result.data?.orderUpdated;
          if (order) {
            this.seen.push({
              id: order.id,
              status: order.status,
              version: order.history.length,
              at: Date.now(),
            });
          }
        },
        error: (error) => {
          if (!this.stopped) this.issues.push(`subscription error: ${JSON.stringify(error)}`);
        },
        complete: () => {
          if (!this.stopped) this.issues.push('subscription completed by the server');
        },
      },
    );
  }

  /**
   * Subscribes on `wsUrl` and resolves once the subscription is live: `probe` creates an order
   * (returning its id), and its CREATED event has arrived. Orders created after this resolves
   * are ones the recorder must see whole (add them with `mustSee`).
   */
  static async start(
    name: string,
    wsUrl: string,
    probe: () => Promise<string>,
    timeoutMs = 15_000,
  ): Promise<TransitionRecorder> {
    const recorder = new TransitionRecorder(name, wsUrl);
    const deadline = Date.now() + timeoutMs;
    // The subscribe message may still be on its way when the first probe lands: probe again.
    for (;;) {
      const id = await probe();
      const until = Math.min(deadline, Date.now() + 1_000);
      while (Date.now() < until && !recorder.seen.some((e) => e.id === id)) await pause(20);
      if (recorder.seen.some((e) => e.id === id)) return recorder;
      recorder.earlier.add(id);
      if (Date.now() >= deadline) {
        await recorder.stop();
        throw new Error(`${name}: subscription not live after ${timeoutMs} ms`);
      }
    }
  }

  /** Requires it to have seen every order created since it went live (`start` resolved). */
  watchAll(): this {
    this.all = true;
    return this;
  }

  /** Requires it to have seen these orders whole (created after it went live). */
  require(...orderIds: string[]): this {
    for (const id of orderIds) this.required.add(id);
    return this;
  }

  mustSee(orderId: string): boolean {
    return this.required.has(orderId) || (this.all && !this.earlier.has(orderId));
  }

  events(): readonly SeenTransition[] {
    return this.seen;
  }

  problems(): readonly string[] {
    return this.issues;
  }

  /** Ends the recording (closing the socket normally); later closes are not problems. */
  async stop(): Promise<void> {
    this.stopped = true;
    // A socket the server already closed has nothing left to close; do not wait on it for long.
    await Promise.race([this.client.dispose(), pause(2_000)]);
  }

  /** From now on the connection is expected to be closed by the server (its shutdown). */
  expectClose(): void {
    this.stopped = true;
  }
}

/**
 * A recording over a subscription made by other means (the stack's `Subscription`), for events
 * that carry the order's id, status and history.
 */
export function recordingOf<T>(
  name: string,
  source: { events: readonly T[]; errors: readonly unknown[]; completed: boolean },
  toTransition: (event: T) => SeenTransition,
  mustSee: ReadonlySet<string>,
): Recording {
  return {
    name,
    mustSee: (id) => mustSee.has(id),
    events: () => source.events.map(toTransition),
    problems: () => [
      ...source.errors.map((e) => `error: ${JSON.stringify(e)}`),
      ...(source.completed ? ['completed by the server'] : []),
    ],
  };
}

/**
 * The part of a recording about `orderIds`, each of which it must have seen whole: for a
 * subscriber that was connected through an outage of the server's LISTEN connection, whose
 * events are not replayed (a known limit), only orders created after it came back.
 */
export function restrictRecording(recording: Recording, orderIds: ReadonlySet<string>): Recording {
  return {
    name: recording.name,
    mustSee: (id) => orderIds.has(id),
    events: () => recording.events().filter((e) => orderIds.has(e.id)),
    problems: () => recording.problems(),
  };
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
