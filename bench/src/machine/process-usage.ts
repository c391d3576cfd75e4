import { readFileSync, readdirSync } from 'node:fs';

/** CPU time and resident memory of one process, as Linux reports them in /proc. */
export interface ProcessUsage {
  cpuMs: number;
  rssBytes: number;
}

// /proc/<pid>/stat counts in USER_HZ ticks, which Linux fixes at 100 on every architecture
// Node runs on (sysconf(_SC_CLK_TCK)); Node has no call to ask for it.
const MS_PER_TICK = 10;

/** Usage of a live process, or null when it has exited (or this is not Linux). */
export function readProcessUsage(pid: number): ProcessUsage | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses; fields are counted after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKb = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return { cpuMs: ticks * MS_PER_TICK, rssBytes: rssKb * 1024 };
  } catch {
    return null;
  }
}

/** Pids of every process whose command name is `name` (e.g. every PostgreSQL backend). */
export function pidsNamed(name: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (!/^\d+$/.test(entry)) return [];
    try {
      return readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name ? [Number(entry)] : [];
    } catch {
      return [];
    }
  });
}

/** Busy time of all CPUs together since boot, and the number of CPUs, from /proc/stat. */
export function readSystemCpu(): { busyMs: number; totalMs: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const ticks = line.trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((sum, value) => sum + value, 0);
    // idle and iowait are the only fields that are not busy time.
    const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
    return { busyMs: (total - idle) * MS_PER_TICK, totalMs: total * MS_PER_TICK };
  } catch {
    return null;
  }
}

/**
 * CPU used by a set of processes between `start` and `stop`, in percent of one core. Processes
 * that exit before `stop` count for what they used until their last sample.
 */
export class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private startedAt = 0;
  private stoppedAt = 0;
  private running = false;

  constructor(private readonly pids: () => readonly number[]) {}

  start(): void {
    this.running = true;
    this.first.clear();
    this.last.clear();
    this.startedAt = performance.now();
    for (const pid of this.pids()) {
      const usage = readProcessUsage(pid);
      if (usage !== null) this.first.set(pid, usage.cpuMs);
    }
  }

  /** Ends the interval; does nothing when it has already ended (so a timer and a finally may both call it). */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    this.stoppedAt = performance.now();
    for (const pid of this.first.keys()) {
      const usage = readProcessUsage(pid);
      if (usage !== null) this.last.set(pid, usage.cpuMs);
    }
  }

  /** Percent of one core (200 means two cores busy) over the interval. */
  percent(): number {
    const wallMs = this.stoppedAt - this.startedAt;
    if (wallMs <= 0) return 0;
    let used = 0;
    for (const [pid, before] of this.first) used += (this.last.get(pid) ?? before) - before;
    return (100 * used) / wallMs;
  }
}

/** This process's limit on open files (soft), which children inherit; null when unknown. */
export function openFilesLimit(): number | null {
  try {
    const limits = readFileSync('/proc/self/limits', 'utf8');
    const match = /^Max open files\s+(\d+|unlimited)/m.exec(limits);
    if (match?.[1] === undefined) return null;
    return match[1] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(match[1]);
  } catch {
    return null;
  }
}

/** Resolves once `pid` has used less than `percent` of a core over `windowMs`, or after `maxMs`. */
export async function waitUntilIdle(
  pids: readonly number[],
  percent = 5,
  windowMs = 500,
  maxMs = 60_000,
): Promise<void> {
  const meter = new CpuMeter(() => pids);
  const deadline = performance.now() + maxMs;
  while (performance.now() < deadline) {
    meter.start();
    await new Promise((resolve) => setTimeout(resolve, windowMs));
    meter.stop();
    if (meter.percent() < percent * pids.length) return;
  }
}
