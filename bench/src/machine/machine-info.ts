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
  /** Load average (1, 5, 15 min) when the run started and ended: others' work shows here. */
  loadAtStart: number[];
  loadAtEnd: number[];
  /** Share of all cores busy in the second before the run started, when nothing of ours ran. */
  busyBeforeStartPercent: number | null;
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

/** Describes this machine; samples one second of CPU to see whether something else is running. */
export async function describeMachine(postgres: string, repoDir: string): Promise<MachineInfo> {
  const before = readSystemCpu();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  const after = readSystemCpu();
  const busy =
    before === null || after === null || after.totalMs === before.totalMs
      ? null
      : (100 * (after.busyMs - before.busyMs)) / (after.totalMs - before.totalMs);
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
    busyBeforeStartPercent: busy === null ? null : Math.round(busy),
  };
}

/** Records the load average at the end of the run. */
export function finishMachine(machine: MachineInfo): MachineInfo {
  return { ...machine, loadAtEnd: loadavg().map((l) => Math.round(l * 100) / 100) };
}
