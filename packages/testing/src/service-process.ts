import { spawn, type ChildProcess } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  type WriteStream,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { trackLeftover } from './leftovers.js';
import { LOOPBACK } from './ports.js';

/** What Node runs for a service from its package folder: its TypeScript sources through tsx. */
export const TSX_ENTRY: readonly string[] = ['--import', 'tsx', 'src/main.ts'];

/** A service's bundle in its package folder, made by `pnpm build`. */
const BUNDLE = 'dist/main.js';

/** What Node runs for a compiled service from its package folder (after `pnpm build`). */
export const DIST_ENTRY: readonly string[] = [BUNDLE];

/**
 * How to run the service in `packageDir`: its bundle (DIST_ENTRY), which is what production runs
 * and starts in a fifth of the CPU time, when the bundle is newer than every source it is built
 * from (the package's `src/` and build script, and its workspace dependencies'); otherwise its
 * sources through tsx, so a test never runs stale code. `pnpm test` builds first; a bare
 * `vitest` after an edit runs the sources.
 */
export function serviceEntry(packageDir: string): readonly string[] {
  const bundle = join(packageDir, BUNDLE);
  if (!existsSync(bundle)) return TSX_ENTRY;
  const builtAt = statSync(bundle).mtimeMs;
  return [...workspacePackages(packageDir)].every((dir) => newestFileIn(dir) <= builtAt)
    ? DIST_ENTRY
    : TSX_ENTRY;
}

/**
 * The package and every workspace package it depends on, directly or not. The services list
 * the packages they bundle as devDependencies, so both kinds count, as they do for turbo's build.
 */
function workspacePackages(packageDir: string, seen = new Set<string>()): Set<string> {
  const dir = realpathSync(packageDir);
  if (seen.has(dir)) return seen;
  seen.add(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const declared = { ...manifest.dependencies, ...manifest.devDependencies };
  for (const [name, version] of Object.entries(declared)) {
    if (version.startsWith('workspace:')) workspacePackages(join(dir, 'node_modules', name), seen);
  }
  return seen;
}

/** The script that makes a service's bundle (`pnpm build` runs it). */
const BUILD_SCRIPT = 'build.config.ts';

/**
 * The latest modification time of what a package's build reads in `dir`: package.json, the
 * build script where there is one, and the sources under src/, tests aside.
 */
function newestFileIn(dir: string): number {
  let newest = statSync(join(dir, 'package.json')).mtimeMs;
  const buildScript = join(dir, BUILD_SCRIPT);
  if (existsSync(buildScript)) newest = Math.max(newest, statSync(buildScript).mtimeMs);
  const src = join(dir, 'src');
  if (!existsSync(src)) return newest;
  for (const entry of readdirSync(src, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && !/\.test\.tsx?$/.test(entry.name)) {
      newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/** What a child needs from our environment to run Node at all; nothing else leaks in. */
export const INHERITED_ENV: readonly string[] = ['PATH', 'HOME', 'TMPDIR', 'TZ', 'LANG'];

/** How to run one service as a child process. */
export interface ServiceOptions {
  /** For messages and the log, e.g. `orders-api`. */
  name: string;
  /** Its working directory: the package folder, so `--import tsx` and relative paths resolve. */
  cwd: string;
  /** The loopback port it was told to listen on (through `env`); readiness is asked there. */
  port: number;
  /** Its environment, on top of the `inheritEnv` variables of ours. */
  env: Record<string, string>;
  /** Node's arguments after `nodeArgs`: the script and its own arguments. TSX_ENTRY by default. */
  entry?: readonly string[];
  /** Node flags before the entry, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /** Variables of this process's environment passed on; INHERITED_ENV by default. */
  inheritEnv?: readonly string[];
  /** Path answering 2xx once the service takes requests; `/ready` by default. */
  readyPath?: string;
  /** How long to wait for it to be ready; a fresh embedded database takes a while. */
  readyTimeoutMs?: number;
  /** How long `stop()` waits after SIGTERM before SIGKILL. */
  stopGraceMs?: number;
  /** A file that receives everything it writes, as written. */
  logFile?: string;
  /** How many of its latest output lines `lines` keeps. */
  maxLogLines?: number;
}

/** How a child ended. */
export interface ProcessExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A child process that did start (it has a pid). */
export type SpawnedChild = ChildProcess & { readonly pid: number };

/** A class of handle for `startService` to build: ServiceProcess or one that adds to it. */
export type ServiceProcessClass<T extends ServiceProcess> = new (
  options: ServiceOptions,
  child: SpawnedChild,
) => T;

/** After the child has exited, how long its output may stay open (a grandchild holding it). */
const OUTPUT_CLOSE_GRACE_MS = 2_000;
const POLL_MS = 100;
const PROBE_TIMEOUT_MS = 2_000;

/**
 * A service running as its own Node process: its output kept line by line, its readiness asked
 * over HTTP, stopped by its own pid. Made by `startService`; tracked as a leftover until it exits.
 */
export class ServiceProcess {
  /** stdout and stderr lines, in arrival order (the latest `maxLogLines`). */
  readonly lines: string[] = [];
  /** Resolves once the process has exited and its output has been read to the end. */
  readonly exited: Promise<ProcessExit>;
  /** How it ended; null while it runs. */
  exit: ProcessExit | null = null;
  /** Milliseconds from spawn to ready. */
  readyAfterMs = 0;
  readonly name: string;
  readonly port: number;
  private readonly log: WriteStream | null;
  private readonly maxLines: number;
  private readonly graceMs: number;

  constructor(
    private readonly options: ServiceOptions,
    private readonly child: SpawnedChild,
  ) {
    this.name = options.name;
    this.port = options.port;
    this.maxLines = options.maxLogLines ?? 20_000;
    this.graceMs = options.stopGraceMs ?? 10_000;
    this.log = options.logFile === undefined ? null : openLog(options.logFile);
    const untrack = trackLeftover({
      dispose: async () => {
        await this.kill('SIGKILL');
      },
      atExit: () => child.kill('SIGKILL'),
    });
    // Errors of a live child (a failed kill) are seen in how it exits; never crash the runner.
    child.on('error', () => undefined);
    child.once('exit', (code, signal) => {
      untrack();
      this.exit = { code, signal };
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, OUTPUT_CLOSE_GRACE_MS).unref();
    });
    this.exited = new Promise<ProcessExit>((resolve) => {
      child.once('close', (code, signal) => {
        const exit = this.exit ?? { code, signal };
        if (this.log === null) resolve(exit);
        else
          this.log.end(() => {
            resolve(exit);
          });
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        this.log?.write(chunk);
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        this.remember(parts);
      });
      // A last line without a newline (a crash message) still belongs to the output.
      stream?.on('end', () => {
        if (partial !== '') this.remember([partial]);
        partial = '';
      });
    }
  }

  /** Its process id. */
  get pid(): number {
    return this.child.pid;
  }

  /** `http://127.0.0.1:<port>`. */
  get baseUrl(): string {
    return `http://${LOOPBACK}:${this.port}`;
  }

  /** Where its output is written as a whole, when it is. */
  get logFile(): string | undefined {
    return this.options.logFile;
  }

  /**
   * Sends `signal` and resolves once the process has exited. A process that outlives SIGTERM by
   * `graceMs` is killed outright, so this always ends.
   */
  async kill(signal: NodeJS.Signals = 'SIGTERM', graceMs = this.graceMs): Promise<ProcessExit> {
    if (this.exit !== null) return this.exited;
    this.child.kill(signal);
    if (signal === 'SIGKILL') return this.exited;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** A graceful stop: SIGTERM, then SIGKILL after the grace period. */
  stop(): Promise<ProcessExit> {
    return this.kill('SIGTERM');
  }

  /** Output lines parsed as JSON objects (pino's); other lines (a stack trace) are skipped. */
  logEntries(): Record<string, unknown>[] {
    return this.lines.flatMap((line) => {
      try {
        const parsed: unknown = JSON.parse(line);
        return isRecord(parsed) ? [parsed] : [];
      } catch {
        return [];
      }
    });
  }

  /** The last lines of output, for error messages. */
  tail(count = 40): string {
    return this.lines.slice(-count).join('\n') || '(no output)';
  }

  /**
   * Resolves once `readyPath` answers 2xx. Rejects, with the last output, if the process exits
   * first or is not ready in time; it is then killed.
   */
  async ready(): Promise<void> {
    const { readyPath = '/ready', readyTimeoutMs = 60_000 } = this.options;
    const url = `${this.baseUrl}${readyPath}`;
    const started = Date.now();
    const deadline = started + readyTimeoutMs;
    for (;;) {
      if (this.exit !== null) {
        await this.exited;
        throw new Error(
          `${this.name} exited (${JSON.stringify(this.exit)}) before it was ready${this.logHint()}:\n${this.tail()}`,
        );
      }
      let last: string;
      try {
        const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        if (response.ok) {
          this.readyAfterMs = Date.now() - started;
          return;
        }
        last = `HTTP ${response.status}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() > deadline) {
        await this.kill('SIGKILL');
        throw new Error(
          `${this.name} was not ready after ${readyTimeoutMs} ms (GET ${url}: ${last})${this.logHint()}:\n${this.tail()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  private logHint(): string {
    return this.options.logFile === undefined ? '' : ` (full log: ${this.options.logFile})`;
  }

  private remember(lines: string[]): void {
    this.lines.push(...lines);
    if (this.lines.length > this.maxLines) this.lines.splice(0, this.lines.length - this.maxLines);
  }
}

/** Spawns a service (see ServiceOptions) and resolves once it is ready. */
export async function startService(options: ServiceOptions): Promise<ServiceProcess>;
/** The same, with a handle of class `as` (one that adds, e.g., the service's own URLs). */
export async function startService<T extends ServiceProcess>(
  options: ServiceOptions,
  as: ServiceProcessClass<T>,
): Promise<T>;
export async function startService(
  options: ServiceOptions,
  as: ServiceProcessClass<ServiceProcess> = ServiceProcess,
): Promise<ServiceProcess> {
  const inherited = Object.fromEntries(
    (options.inheritEnv ?? INHERITED_ENV).flatMap((key) => {
      const value = process.env[key];
      return value === undefined ? [] : [[key, value]];
    }),
  );
  // Our own Node, not a shell or a package manager in between: signals reach the service itself.
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), ...(options.entry ?? TSX_ENTRY)],
    { cwd: options.cwd, env: { ...inherited, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await new Promise<void>((resolve, reject) => {
    child.once('spawn', resolve);
    child.once('error', reject);
  });
  const service = new as(options, child as SpawnedChild);
  await service.ready();
  return service;
}

function openLog(path: string): WriteStream {
  mkdirSync(dirname(path), { recursive: true });
  return createWriteStream(path, { flags: 'w' });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
