import type { Logger } from 'pino';
import { WakeableSleep, delay } from '../lib/wakeable-sleep.js';
import type { WebhookQueue } from '../persistence/webhook-queue.js';

export interface WebhookDispatcherOptions {
  /** Log entries read by one step at most. */
  batchSize: number;
  /** How often the log is read when nothing says it has grown. */
  idlePollMs: number;
}

/** Shortest gap between two steps: commits arriving meanwhile are read together. */
const STEP_GAP_MS = 5;
/** How long a wake-up keeps the fast reading going (the oldest running transaction may be slow). */
const WOKEN_FOR_MS = 2_000;
const RETRY_MS = 250;

/**
 * Turns the transition log into webhook deliveries, exactly once: every process runs one, and
 * the step that reads the log, queues the deliveries and moves the shared cursor is a single
 * statement that only one process at a time can make (see WebhookQueue.dispatch). With no
 * endpoint enabled a step reads nothing and commits do not wake it, so the order hot path pays
 * one small statement per idle poll.
 */
export class WebhookDispatcher {
  private running = false;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly alarm = new WakeableSleep();
  private wokenAt = -Infinity;
  private wakes = 0;
  private wakesServed = 0;
  /** Whether the last step saw an enabled endpoint; commits matter only then. */
  private listening = true;

  constructor(
    private readonly queue: WebhookQueue,
    private readonly options: WebhookDispatcherOptions,
    private readonly log: Logger,
    /** Told when deliveries were queued, so the sender looks at once. */
    private readonly onQueued: () => void,
  ) {}

  async start(): Promise<void> {
    if (this.running) return;
    await this.queue.ensureCursor();
    this.running = true;
    this.loopDone = this.loop();
  }

  /** The log has grown: read it now (a no-op while no endpoint is enabled). */
  wake(): void {
    if (!this.listening) return;
    this.wakes++;
    this.wokenAt = performance.now();
    this.alarm.wake();
  }

  /** Endpoints changed: look again now, whatever the last step saw. */
  endpointsChanged(): void {
    this.listening = true;
    this.wake();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.alarm.wake();
    await this.loopDone;
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const wakes = this.wakes;
      this.alarm.reset();
      let step;
      try {
        step = await this.queue.dispatch(this.options.batchSize);
      } catch (error) {
        this.log.error({ err: error }, 'could not dispatch webhook deliveries; retrying');
        await this.alarm.sleep(RETRY_MS);
        continue;
      }
      this.listening = step.hooks > 0;
      if (step.queued > 0) this.onQueued();
      if (step.read > 0) this.wakesServed = wakes;
      if (step.read === this.options.batchSize) continue;
      await delay(STEP_GAP_MS);
      // A commit we were told of may not be readable yet (an older transaction still runs); a
      // cursor held by another process is being moved by it.
      const owed =
        step.locked &&
        this.listening &&
        this.wakes > this.wakesServed &&
        performance.now() - this.wokenAt < WOKEN_FOR_MS;
      if (!owed) await this.alarm.sleep(this.options.idlePollMs);
    }
  }
}
