import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import type { BenchSettings } from '../config/bench-settings.js';
import { BENCH_DIR } from '../stack/repo-paths.js';

/** The pgbench script: one whole order lifecycle with the services' own statements. */
export const PGBENCH_SCRIPT = join(BENCH_DIR, 'sql', 'order-lifecycle.pgbench.sql');

export interface PgbenchRun {
  clients: number;
  /** Whole lifecycles per second. */
  tps: number;
  latencyAvgMs: number;
  failed: number;
  /** pgbench's own CPU (the generator), percent of one core. */
  generatorCpuPercent: number;
}

/** How pgbench sends the statements: prepared once per connection, as the services do. */
export const PGBENCH_PROTOCOL = 'prepared';

export interface PgbenchResult {
  pgbench: string | null;
  version: string | null;
  /** pgbench's query mode (-M). */
  protocol: string;
  /** Why the reference could not be measured, when it could not. */
  skipped: string | null;
  runs: PgbenchRun[];
  /** The best run: the reference limit every other figure is divided by. */
  best: PgbenchRun | null;
  /** After the runs: every order delivered once, with three history rows and one payment. */
  check: { orders: number; delivered: number; transitions: number; payments: number; ok: boolean };
}

/**
 * pgbench from the settings, PATH, or Debian's versioned folders (postgresql-client ships it
 * there and links only some tools into /usr/bin).
 */
export function findPgbench(settings: BenchSettings): string | null {
  if (settings.pgbenchPath !== undefined) return settings.pgbenchPath;
  for (const dir of (settings.baseEnv.PATH ?? '').split(':')) {
    if (dir !== '' && existsSync(join(dir, 'pgbench'))) return join(dir, 'pgbench');
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pgbench')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? null : join(root, versions[0], 'bin', 'pgbench');
}

interface Captured {
  code: number | null;
  stdout: string;
  stderr: string;
  /** CPU of the command's children, from the shell's `times`. */
  childCpuMs: number;
}

/** Runs a command under sh so that `times` can report the CPU it used once it has exited. */
function runTimed(command: string, args: readonly string[], env: Record<string, string>) {
  return new Promise<Captured>((resolve, reject) => {
    const child = spawn(
      'sh',
      ['-c', '"$0" "$@"; status=$?; times; exit $status', command, ...args],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('exit', (code) => {
      // The last line of `times` is the children's user and system time, e.g. `0m1.20s 0m0.31s`.
      const last = stdout.trim().split('\n').pop() ?? '';
      const childCpuMs = [...last.matchAll(/(\d+)m([\d.]+)s/g)].reduce(
        (sum, m) => sum + (Number(m[1]) * 60 + Number(m[2])) * 1000,
        0,
      );
      resolve({ code, stdout, stderr, childCpuMs });
    });
  });
}

function numberAfter(text: string, label: RegExp): number {
  const match = label.exec(text);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

/**
 * Scenario 1: pgbench runs the lifecycle script against a database migrated by the services'
 * own migrations, first to warm up, then once per client count; the best run is the reference.
 */
export async function runPgbenchReference(
  settings: BenchSettings,
  databaseUrl: string,
  log: (line: string) => void,
): Promise<PgbenchResult> {
  const empty = { orders: 0, delivered: 0, transitions: 0, payments: 0, ok: false };
  const pgbench = findPgbench(settings);
  if (pgbench === null) {
    return {
      pgbench: null,
      version: null,
      protocol: PGBENCH_PROTOCOL,
      skipped: 'pgbench not found: install postgresql-contrib (Debian/Ubuntu) or set BENCH_PGBENCH',
      runs: [],
      best: null,
      check: empty,
    };
  }
  const env = { ...settings.baseEnv };
  const version = (await runTimed(pgbench, ['--version'], env)).stdout.split('\n')[0] ?? null;
  const cores = availableParallelism();
  const args = (clients: number, seconds: number) => [
    '--no-vacuum',
    `--protocol=${PGBENCH_PROTOCOL}`,
    // Where each client starts reading the transition log: its beginning.
    '--define=log_xid=0',
    '--define=log_position=0',
    `--file=${PGBENCH_SCRIPT}`,
    `--client=${clients}`,
    `--jobs=${Math.min(clients, cores)}`,
    `--time=${Math.max(1, Math.round(seconds))}`,
    databaseUrl,
  ];
  const top = Math.max(...settings.pgbenchClients);
  if (settings.warmupS > 0) {
    log(`pgbench: warm-up, ${top} clients, ${settings.warmupS} s`);
    await runTimed(pgbench, args(top, settings.warmupS), env);
  }
  const runs: PgbenchRun[] = [];
  for (const clients of settings.pgbenchClients) {
    const captured = await runTimed(pgbench, args(clients, settings.durationS), env);
    if (captured.code !== 0) {
      throw new Error(`pgbench failed (exit ${captured.code}):\n${captured.stderr.slice(-2000)}`);
    }
    const run: PgbenchRun = {
      clients,
      tps: numberAfter(captured.stdout, /tps = ([\d.]+)/),
      latencyAvgMs: numberAfter(captured.stdout, /latency average = ([\d.]+) ms/),
      failed: numberAfter(captured.stdout, /number of failed transactions: (\d+)/) || 0,
      generatorCpuPercent: (100 * captured.childCpuMs) / (settings.durationS * 1000),
    };
    log(`pgbench: ${clients} clients: ${run.tps.toFixed(0)} lifecycles/s`);
    runs.push(run);
  }
  const best = runs.reduce<PgbenchRun | null>(
    (top, run) => (top === null || run.tps > top.tps ? run : top),
    null,
  );
  return {
    pgbench,
    version,
    protocol: PGBENCH_PROTOCOL,
    skipped: null,
    runs,
    best,
    check: await checkLifecycles(databaseUrl),
  };
}

/** Every order pgbench made went through the whole lifecycle exactly once. */
async function checkLifecycles(databaseUrl: string): Promise<PgbenchResult['check']> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<
      { orders: number; delivered: number; transitions: number; payments: number }[]
    >`select (select count(*)::int from orders) as orders,
             (select count(*)::int from orders where status = 'DELIVERED' and version = 3) as delivered,
             (select count(*)::int from order_transitions) as transitions,
             (select count(*)::int from payments) as payments`;
    const counts = row ?? { orders: 0, delivered: 0, transitions: 0, payments: 0 };
    return {
      ...counts,
      ok:
        counts.orders > 0 &&
        counts.delivered === counts.orders &&
        counts.transitions === 3 * counts.orders &&
        counts.payments === counts.orders,
    };
  } finally {
    await sql.end();
  }
}
