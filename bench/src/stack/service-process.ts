import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { readProcessUsage, type ProcessUsage } from '../machine/process-usage.js';

const MAX_LOG_LINES = 200;

/** Every service this run started and has not seen exit, so no process outlives the bench. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

export interface ServiceSpec {
  /** For messages, e.g. `orders-api`. */
  name: string;
  /** The package folder; the service runs its bundle, `dist/main.js`, from there, as in production. */
  packageDir: string;
  /** The whole environment of the child (nothing else is inherited). */
  env: Record<string, string>;
  port: number;
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeArgs?: readonly string[];
  readyTimeoutMs?: number;
}

/**
 * A service (orders-api or payments-api) as its own Node process, so the CPU and memory it uses
 * are its own and can be read from /proc.
 */
export class ServiceProcess {
  private readonly lines: string[] = [];
  private exitInfo: { code: number | null; signal: string | null } | null = null;
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        live.delete(child);
        this.exitInfo = { code, signal };
        resolve();
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        for (const line of chunk.split('\n')) {
          if (line === '') continue;
          this.lines.push(line);
          if (this.lines.length > MAX_LOG_LINES) this.lines.shift();
        }
      });
    }
  }

  /** Starts the service and resolves once its /ready answers 200. */
  static async start(spec: ServiceSpec): Promise<ServiceProcess> {
    const child = spawn(
      process.execPath,
      [...(spec.nodeArgs ?? []), '--enable-source-maps', 'dist/main.js'],
      { cwd: spec.packageDir, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    live.add(child);
    const service = new ServiceProcess(spec.name, spec.port, child);
    try {
      await service.waitUntilReady(spec.readyTimeoutMs ?? 60_000);
    } catch (error) {
      await service.stop(0);
      throw error;
    }
    return service;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** CPU time and RSS now; null once the process has exited. */
  usage(): ProcessUsage | null {
    return readProcessUsage(this.pid);
  }

  /** The last lines the service logged, for error messages. */
  tail(count = 20): string {
    return this.lines.slice(-count).join('\n');
  }

  /** SIGTERM (a graceful stop, which also writes a --cpu-prof profile), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exitInfo !== null) return;
    this.child.kill(graceMs === 0 ? 'SIGKILL' : 'SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exitInfo !== null) {
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exitInfo)}) before it was ready:\n${this.tail()}`,
        );
      }
      try {
        const response = await fetch(`${this.baseUrl}/ready`, {
          signal: AbortSignal.timeout(2_000),
        });
        if (response.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        throw new Error(`${this.name} was not ready after ${timeoutMs} ms:\n${this.tail()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}
