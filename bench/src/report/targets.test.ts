import { describe, expect, it } from 'vitest';
import type { LifecycleResult, LifecycleStep } from '../scenarios/lifecycle-throughput.js';
import type { OverloadResult } from '../scenarios/overload.js';
import type { PgbenchResult } from '../scenarios/pgbench-reference.js';
import type { FanoutResult, FanoutStep } from '../scenarios/subscription-fanout.js';
import { summarize } from '../stats/percentiles.js';
import { lifecycleStep as step } from './report-fixtures.js';
import {
  createLatencyCheck,
  fanoutChecks,
  lifecycleCheck,
  overallStatus,
  overloadChecks,
  targetChecks,
} from './targets.js';

function lifecycle(steps: LifecycleStep[], highest: number | null): LifecycleResult {
  return {
    backend: 'postgres',
    steps,
    highestHeldRate: highest,
    best: steps.find((s) => s.rate === highest) ?? null,
    sampleOrderId: null,
    stoppedByBudget: false,
  };
}

const pgbench = { best: { tps: 400 } } as PgbenchResult;

describe('lifecycleCheck', () => {
  it('is met at the reference with nothing lost', () => {
    const check = lifecycleCheck(
      lifecycle([step({ rate: 400, completedPerSecond: 410 })], 400),
      pgbench,
    );
    expect(check.status).toBe('met');
    expect(check.measured).toMatch(/^1\.03 × \(410 against 400/);
  });

  it('is missed below the reference, or when any step lost an order', () => {
    expect(lifecycleCheck(lifecycle([step({ rate: 300 })], 300), pgbench).status).toBe('missed');
    const lossy = lifecycle(
      [step({ rate: 400, completedPerSecond: 420 }), step({ rate: 500, held: false, missing: 1 })],
      400,
    );
    expect(lifecycleCheck(lossy, pgbench)).toMatchObject({ status: 'missed' });
    expect(lifecycleCheck(lossy, pgbench).measured).toContain('lost 1');
  });

  it('is not measured without the lifecycle or the reference', () => {
    expect(lifecycleCheck(null, pgbench).status).toBe('not measured');
    expect(lifecycleCheck(lifecycle([step()], 100), null).status).toBe('not measured');
  });
});

describe('createLatencyCheck', () => {
  it('judges the p99 of the step at 300/s', () => {
    const fast = step({ rate: 300, createLatencyMs: summarize([3, 19]) });
    expect(createLatencyCheck(lifecycle([fast], 300)).status).toBe('met');
    const slow = step({ rate: 300, createLatencyMs: summarize([3, 21]) });
    expect(createLatencyCheck(lifecycle([slow], 300)).status).toBe('missed');
  });

  it('misses a rate never reached, and does not judge one never planned', () => {
    const failedBelow = lifecycle([step({ rate: 100, held: false })], null);
    expect(createLatencyCheck(failedBelow)).toMatchObject({ status: 'missed' });
    const heldAbove = lifecycle([step({ rate: 500 })], 500);
    expect(createLatencyCheck(heldAbove).status).toBe('not measured');
  });
});

describe('overloadChecks', () => {
  const atFive = (overrides: Partial<LifecycleStep>): OverloadResult => ({
    baseRate: 400,
    baseFrom: 'lifecycle',
    steps: [{ ...step({ rate: 2000, ...overrides }), multiple: 5 }],
  });
  const good: Partial<LifecycleStep> = {
    completedPerSecond: 380,
    refusedPerSecond: 1500,
    refusalLatencyMs: summarize([1, 2, 40]),
    createLatencyMs: summarize([10, 200]),
  };

  it('meets every target of a fast refusal and a held completion rate', () => {
    expect(overloadChecks(atFive(good)).map((c) => c.status)).toEqual(['met', 'met', 'met', 'met']);
  });

  it('misses each target on its own', () => {
    const statuses = (overrides: Partial<LifecycleStep>) =>
      overloadChecks(atFive({ ...good, ...overrides })).map((c) => c.status);
    expect(statuses({ completedPerSecond: 359 })[0]).toBe('missed');
    expect(statuses({ refusalLatencyMs: summarize([1, 51]) })[1]).toBe('missed');
    expect(statuses({ createLatencyMs: summarize([251]) })[2]).toBe('missed');
    expect(statuses({ failedRequests: 1, failures: { timeout: 1 } })[3]).toBe('missed');
    expect(statuses({ unfinished: 1 })[3]).toBe('missed');
  });

  it('counts orders that no answer acknowledged beyond the failed requests as made by refusals', () => {
    const [, , , errors] = overloadChecks(atFive({ ...good, unacknowledged: 2 }));
    expect(errors).toMatchObject({ status: 'missed' });
    expect(errors?.measured).toContain('orders made by refused requests 2');
  });

  it('is not measured when the 5 × step did not run', () => {
    expect(overloadChecks(null).every((c) => c.status === 'not measured')).toBe(true);
    const onlyTwice: OverloadResult = { ...atFive(good), steps: [] };
    expect(overloadChecks(onlyTwice)[0]?.measured).toBe('5 × not among the multiples');
  });
});

describe('fanoutChecks', () => {
  const fanoutStep = (overrides: Partial<FanoutStep>): FanoutResult => ({
    openFilesLimit: 20000,
    steps: [
      {
        subscribers: 10_000,
        firehose: 10,
        processes: 1,
        watchedOrders: 1300,
        connected: 10_000,
        connectFailures: {},
        connectSeconds: 20,
        eventRate: 100,
        cancelled: 1300,
        cancelFailures: 0,
        deliveredPerSecond: 1000,
        latencyMs: summarize([10, 90]),
        missed: 0,
        duplicated: 0,
        unexpected: 0,
        broken: 0,
        rssBaselineBytes: 0,
        rssLoadedBytes: 0,
        rssPerConnectionBytes: 40_000,
        cpu: { ordersApi: 50, generator: 10 },
        complete: true,
        ...overrides,
      },
    ],
  });

  it('meets the targets on one process', () => {
    expect(overallStatus(fanoutChecks(fanoutStep({})))).toBe('met');
  });

  it('misses them when spread over processes, slow, heavy or incomplete', () => {
    expect(fanoutChecks(fanoutStep({ processes: 2 })).map((c) => c.status)).toEqual([
      'missed',
      'missed',
      'missed',
    ]);
    expect(fanoutChecks(fanoutStep({ latencyMs: summarize([101]) }))[0]?.status).toBe('missed');
    expect(fanoutChecks(fanoutStep({ rssPerConnectionBytes: 50_001 }))[1]?.status).toBe('missed');
    expect(fanoutChecks(fanoutStep({ missed: 1, complete: false }))[2]?.status).toBe('missed');
  });
});

describe('targetChecks', () => {
  it('lists every target of the issue, not measured when nothing ran', () => {
    const checks = targetChecks({
      pgbench: null,
      lifecycle: null,
      overload: null,
      query: null,
      fanout: null,
    });
    expect(checks).toHaveLength(11);
    expect(overallStatus(checks)).toBe('not measured');
  });
});
