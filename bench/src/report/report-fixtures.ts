// Results as the scenarios make them, for the report's and the helpers' unit tests.
import type { MachineInfo } from '../machine/machine-info.js';
import type { LifecycleStep } from '../scenarios/lifecycle-throughput.js';
import { summarize } from '../stats/percentiles.js';

/** A two-core machine that nothing else used around the run. */
export const QUIET_MACHINE: MachineInfo = {
  cpuModel: 'test',
  cores: 2,
  memoryGiB: 8,
  os: 'Linux',
  node: 'v20',
  postgres: '15',
  commit: 'abc',
  openFilesLimit: 1024,
  loadAtStart: [0.1, 0.1, 0.1],
  loadAtEnd: [1.5, 0.6, 0.2],
  busyBeforeStartPercent: 1,
  busyAfterEndPercent: 2,
};

/** A held step at 100/s with nothing lost, nothing refused, no error; `overrides` change it. */
export function lifecycleStep(overrides: Partial<LifecycleStep> = {}): LifecycleStep {
  return {
    rate: 100,
    held: true,
    shortfalls: [],
    createdPerSecond: 100,
    completedPerSecond: 100,
    createLatencyMs: summarize([5, 10]),
    lagMs: summarize([50]),
    orders: 1000,
    delivered: 1000,
    cancelled: 0,
    unfinished: 0,
    badHistory: 0,
    missing: 0,
    unacknowledged: 0,
    failedRequests: 0,
    failures: {},
    refused: 0,
    refusedPerSecond: 0,
    refusalLatencyMs: summarize([]),
    cpu: { ordersApi: 50, paymentsApi: 10, database: 30, generator: 5 },
    generatorMicrosPerRequest: 60,
    generatorMaxSendLagMs: 1,
    generatorMaxInFlight: 10,
    generatorConnections: 1024,
    ...overrides,
  };
}
