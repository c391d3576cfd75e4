import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { openFilesLimit, readSystemCpu } from './process-usage.js';

/** The machine a run was taken on, written beside its figures. */
export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  /** The commit measured, with `-dirty` when the working tree had changes. */
  commit: string;
  openFilesLimit: number | null;
  /**
   * Load average (1, 5, 15 min) when the run started and ended. At the start it is others'
   * work; at the end it includes the run's own last minutes.
   */
  loadAtStart: number[];
  loadAtEnd: number[];
  /** Share of all cores busy in the second before the run started, when nothing of ours ran. */
  busyBeforeStartPercent: number | null;
  /** The same in a second after the run, once its processes and databases were gone. */
  busyAfterEndPercent: number | null;
}

/** Busier than this (percent of all cores) before or after the run, and it says so at the top. */
const BUSY_PERCENT = 10;
/** How long the machine is watched before and after the run, with nothing of ours running. */
const SAMPLE_MS = 3_000;

/**
 * Whether other work used the machine around the run: a core-share busy before or after it above
 * what an idle machine shows. The load averages are recorded but not judged: the minute before
 * the run holds `pnpm bench`'s own build, which says nothing about other work. Null when nothing
 * was measured.
 */
export function machineWasBusy(machine: MachineInfo): boolean | null {
  const samples = [machine.busyBeforeStartPercent, machine.busyAfterEndPercent];
  if (samples.every((s) => s === null)) return null;
  return samples.some((s) => s !== null && s > BUSY_PERCENT);
}

/** Percent of all cores busy over the next `ms`, or null where /proc/stat cannot be read. */
async function sampleBusyPercent(ms = SAMPLE_MS): Promise<number | null> {
  const before = readSystemCpu();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = readSystemCpu();
  if (before === null || after === null || after.totalMs === before.totalMs) return null;
  return Math.round((100 * (after.busyMs - before.busyMs)) / (after.totalMs - before.totalMs));
}

/** The checked-out commit of `repoDir`, marked dirty when anything in it is changed. */
function describeCommit(repoDir: string): string {
  try {
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repoDir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    const dirty = git('status', '--porcelain', '--untracked-files=no') !== '';
    return `${git('rev-parse', '--short', 'HEAD')}${dirty ? '-dirty' : ''}`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

/** Describes this machine; samples a few seconds of CPU to see whether something else is running. */
export async function describeMachine(postgres: string, repoDir: string): Promise<MachineInfo> {
  const busy = await sampleBusyPercent();
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    postgres,
    commit: describeCommit(repoDir),
    openFilesLimit: openFilesLimit(),
    loadAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
    loadAtEnd: [],
    busyBeforeStartPercent: busy,
    busyAfterEndPercent: null,
  };
}

/** Records the load average at the end of the run and samples a few seconds of CPU after it. */
export async function finishMachine(machine: MachineInfo): Promise<MachineInfo> {
  const loadAtEnd = loadavg().map((l) => Math.round(l * 100) / 100);
  return { ...machine, loadAtEnd, busyAfterEndPercent: await sampleBusyPercent() };
}
