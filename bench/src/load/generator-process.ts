import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A reply from a generator child: its answer, or the error it hit. */
type Envelope<TReply> = { ok: true; reply: TReply } | { ok: false; error: string };

/** A message that is not a job: it reaches the job that is running (e.g. "stop now"). */
interface ControlMessage {
  control: string;
}

function isControl(message: unknown): message is ControlMessage {
  return typeof message === 'object' && message !== null && 'control' in message;
}

/** CPU a generator child used over the interval it reports on (process.cpuUsage). */
export interface GeneratorCpu {
  userMs: number;
  systemMs: number;
  wallMs: number;
}

/** Microseconds of CPU the generators spent per request they sent (0 when they sent none). */
export function cpuMicrosPerRequest(cpus: readonly GeneratorCpu[], requests: number): number {
  const ms = cpus.reduce((sum, cpu) => sum + cpu.userMs + cpu.systemMs, 0);
  return requests > 0 ? (1000 * ms) / requests : 0;
}

/** Percent of one core used by generators, summed over children. */
export function generatorCpuPercent(cpus: readonly GeneratorCpu[]): number {
  return cpus.reduce(
    (sum, cpu) => sum + (cpu.wallMs > 0 ? (100 * (cpu.userMs + cpu.systemMs)) / cpu.wallMs : 0),
    0,
  );
}

/** A generator child's module, typed by the messages it takes and the replies it gives. */
export interface GeneratorScript<TMessage, TReply> {
  path: string;
  /** Never set: carries the message and reply types from the script to its callers. */
  readonly types?: { message: TMessage; reply: TReply };
}

/** Names the module of a generator child (a .ts file run through tsx). */
export function generatorScript<TMessage, TReply>(url: URL): GeneratorScript<TMessage, TReply> {
  return { path: fileURLToPath(url) };
}

/**
 * A load generator in a process of its own, so the load it makes is not paid for by the process
 * measured (nor by the orchestrator). Messages go one at a time: `ask` sends one and resolves
 * with the child's reply to it.
 */
export class GeneratorProcess<TMessage, TReply> {
  private readonly waiting: {
    resolve: (reply: TReply) => void;
    reject: (error: Error) => void;
  }[] = [];
  private readonly exited: Promise<void>;

  private constructor(
    private readonly name: string,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (message: Envelope<TReply>) => {
      const next = this.waiting.shift();
      if (next === undefined) return;
      if (message.ok) next.resolve(message.reply);
      else next.reject(new Error(`${this.name}: ${message.error}`));
    });
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        for (const waiter of this.waiting.splice(0)) {
          waiter.reject(new Error(`${this.name} exited (code ${code}, signal ${signal})`));
        }
        resolve();
      });
    });
  }

  /** Forks `script` (a TypeScript module run through tsx) with an IPC channel. */
  static start<TMessage, TReply>(
    script: GeneratorScript<TMessage, TReply>,
    name: string,
    env: Record<string, string>,
  ): GeneratorProcess<TMessage, TReply> {
    const child = fork(script.path, [], {
      execArgv: ['--import', 'tsx'],
      env,
      // Typed arrays of latencies cross the channel without a JSON round trip.
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new GeneratorProcess<TMessage, TReply>(name, child);
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  ask(message: TMessage): Promise<TReply> {
    return new Promise<TReply>((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.child.send(message as object, (error) => {
        if (error !== null) reject(error);
      });
    });
  }

  /** Tells the running job something (see `serveParent`'s `onControl`); no reply. */
  tell(control: string): void {
    const message: ControlMessage = { control };
    this.child.send(message);
  }

  /** Lets the child go (it exits when its channel closes) and waits for it. */
  async close(): Promise<void> {
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Starts a generator, asks it one thing, and lets it go. */
export async function runGenerator<TMessage, TReply>(
  script: GeneratorScript<TMessage, TReply>,
  name: string,
  env: Record<string, string>,
  message: TMessage,
): Promise<TReply> {
  const generator = GeneratorProcess.start(script, name, env);
  try {
    return await generator.ask(message);
  } finally {
    await generator.close();
  }
}

/**
 * The child's side: answers each message from the parent with `handle`, one at a time, and
 * exits when the parent lets go. A control message (`tell`) goes to `onControl` at once, while
 * a job runs.
 */
export function serveParent(
  handle: (message: never) => Promise<unknown>,
  onControl: (control: string) => void = () => undefined,
): void {
  const send = (envelope: Envelope<unknown>) =>
    new Promise<void>((resolve) => {
      process.send?.(envelope, undefined, undefined, () => {
        resolve();
      });
    });
  let queue = Promise.resolve();
  process.on('message', (message) => {
    if (isControl(message)) {
      onControl(message.control);
      return;
    }
    queue = queue.then(async () => {
      try {
        // The parent sends what the script's GeneratorScript type says it takes.
        await send({ ok: true, reply: await handle(message as never) });
      } catch (error) {
        await send({ ok: false, error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  process.once('disconnect', () => {
    process.exit(0);
  });
}

/** Measures a child's own CPU use over an interval with process.cpuUsage. */
export function startCpuClock(): () => GeneratorCpu {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  return () => {
    const used = process.cpuUsage(cpu);
    return {
      userMs: used.user / 1000,
      systemMs: used.system / 1000,
      wallMs: performance.now() - wall,
    };
  };
}
