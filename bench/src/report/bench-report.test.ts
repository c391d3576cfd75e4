import { describe, expect, it } from 'vitest';
import type { LifecycleStep } from '../scenarios/lifecycle-throughput.js';
import type { RestartResult } from '../scenarios/restart-time.js';
import { summarize } from '../stats/percentiles.js';
import { buildSummary, machineLoadLine, type ReportBody } from './bench-report.js';
import { QUIET_MACHINE, lifecycleStep } from './report-fixtures.js';

const machine = QUIET_MACHINE;

const overloadStep = (multiple: number, overrides: Partial<LifecycleStep>) => ({
  ...lifecycleStep({
    rate: 400 * multiple,
    held: false,
    createdPerSecond: 390,
    completedPerSecond: 380,
    createLatencyMs: summarize([10, 120]),
    refused: 16_000,
    refusedPerSecond: 1_600,
    refusalLatencyMs: summarize([1, 3, 30]),
    cpu: { ordersApi: 90, paymentsApi: 20, database: 60, generator: 15 },
    generatorMicrosPerRequest: 70,
    ...overrides,
  }),
  multiple,
});

const restart: RestartResult = {
  rate: 400,
  runs: [
    { killToReadyMs: 900, spawnToReadyMs: 880 },
    { killToReadyMs: 1_100, spawnToReadyMs: 1_080 },
  ],
  killToReadyMs: summarize([900, 1_100]),
  spawnToReadyMs: summarize([880, 1_080]),
  acknowledged: 10_000,
  failedRequests: 420,
  failures: { 'network ECONNREFUSED': 420 },
  refused: 0,
  audit: {
    orders: 10_010,
    delivered: 10_010,
    cancelled: 0,
    unfinished: 0,
    badHistory: 0,
    missing: 0,
    unacknowledged: 10,
    completedInWindow: 10_010,
  },
  generatorCpuPercent: 4,
  generatorMicrosPerRequest: 90,
};

function body(overrides: Partial<ReportBody>): ReportBody {
  return {
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:10:00.000Z',
    elapsedS: 600,
    machine,
    settings: {},
    pgbench: null,
    lifecycle: null,
    overload: null,
    restart: null,
    query: null,
    fanout: null,
    resume: null,
    pglite: null,
    errors: [],
    ...overrides,
  };
}

describe('buildSummary', () => {
  it('gives each overload step a row, and judges the 5 × one against its targets', () => {
    const rows = buildSummary(
      body({
        overload: {
          baseRate: 400,
          baseFrom: 'lifecycle',
          steps: [overloadStep(2, {}), overloadStep(5, { createLatencyMs: summarize([300]) })],
        },
      }),
    ).filter((row) => row.id === '4');
    expect(rows.map((r) => [r.scenario, r.status])).toEqual([
      ['Overload, 2 × 400/s = 800/s offered', '–'],
      ['Overload, 5 × 400/s = 2,000/s offered', 'missed'],
    ]);
    expect(rows[0]?.result).toContain('1,600/s refused (p50 / p99 3.0 / 30 ms)');
    expect(rows[0]?.generatorCpu).toBe('15 % (70 µs/req)');
  });

  it('reports the restart time, what was lost, and what failed while down', () => {
    const row = buildSummary(body({ restart })).find((r) => r.id === '5');
    expect(row?.result).toBe(
      'p50 900 / max 1,100 ms over 2 restarts at 400/s; lost 0, bad histories 0; 420 requests failed while down',
    );
  });

  it('judges webhook delivery by what was missed or out of order, not by its lag', () => {
    const webhooks = {
      rate: 400,
      orders: 5_000,
      events: 15_000,
      lagMs: summarize([20, 35, 900]),
      lifecycleLagMs: summarize([100]),
      received: 15_001,
      missed: 0,
      duplicated: 1,
      outOfOrder: 0,
      cpu: { ordersApi: 80, database: 40 },
    };
    const met = buildSummary(body({ webhooks })).find((r) => r.id === '10');
    expect(met?.status).toBe('met');
    expect(met?.result).toBe(
      '15,000 events of 5,000 orders at 400/s; lag p50 / p99 35 / 900 ms; missed 0, out of order 0, duplicated 1',
    );
    for (const bad of [{ missed: 1 }, { outOfOrder: 2 }]) {
      const row = buildSummary(body({ webhooks: { ...webhooks, ...bad } })).find(
        (r) => r.id === '10',
      );
      expect(row?.status, JSON.stringify(bad)).toBe('missed');
    }
    expect(buildSummary(body({})).find((r) => r.id === '10')).toMatchObject({
      result: 'not run',
      status: 'not measured',
    });
  });

  it('says which scenarios did not run', () => {
    const rows = buildSummary(body({}));
    expect(rows.find((r) => r.id === '4')).toMatchObject({
      result: 'not run',
      status: 'not measured',
    });
    expect(rows.find((r) => r.id === '5')?.result).toBe('not run');
  });
});

describe('machineLoadLine', () => {
  it('says a quiet machine was idle, with the load before and after', () => {
    const line = machineLoadLine(machine);
    expect(line).toMatch(/^The machine was otherwise idle/);
    expect(line).toContain(
      '1 % of the CPUs busy in the three seconds before the run and 2 % in the three seconds after it',
    );
  });

  it('puts a busy machine in bold', () => {
    expect(machineLoadLine({ ...machine, busyAfterEndPercent: 60 })).toMatch(
      /^\*\*The machine was busy with other work around this run\*\*/,
    );
  });
});
