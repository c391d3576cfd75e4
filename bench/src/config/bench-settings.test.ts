import { describe, expect, it } from 'vitest';
import { BenchSettingsError, loadBenchSettings } from './bench-settings.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadBenchSettings(env);
  } catch (error) {
    if (error instanceof BenchSettingsError) return [...error.problems];
    throw error;
  }
  throw new Error('settings were accepted');
}

describe('bench settings', () => {
  it('runs every scenario by default, overload and restart after the lifecycle', () => {
    const settings = loadBenchSettings({});
    expect(settings.scenarios).toEqual([
      'pgbench',
      'lifecycle',
      'overload',
      'restart',
      'query',
      'webhooks',
      'fanout',
      'resume',
      'pglite',
      'search',
    ]);
    expect(settings).toMatchObject({
      searchOrders: 1_000_000,
      searchDatabase: 'oms_search_1m',
      overloadMultiples: [2, 5],
      overloadBaseRate: undefined,
      restarts: 5,
      restartRate: undefined,
      resumeSubscribers: 1000,
      resumeIntervalS: 3,
    });
  });

  it('reads the overload and restart settings', () => {
    expect(
      loadBenchSettings({
        BENCH_SCENARIOS: 'overload,restart',
        BENCH_OVERLOAD_MULTIPLES: '1.5, 3',
        BENCH_OVERLOAD_BASE_RATE: '250',
        BENCH_RESTARTS: '3',
        BENCH_RESTART_RATE: '80',
      }),
    ).toMatchObject({
      scenarios: ['overload', 'restart'],
      overloadMultiples: [1.5, 3],
      overloadBaseRate: 250,
      restarts: 3,
      restartRate: 80,
    });
  });

  it('names every bad variable', () => {
    const problems = problemsOf({
      BENCH_SCENARIOS: 'overload,crash',
      BENCH_OVERLOAD_MULTIPLES: '0.5',
      BENCH_RESTARTS: '0',
    });
    expect(problems.map((p) => p.slice(0, p.indexOf(':'))).sort()).toEqual([
      'BENCH_OVERLOAD_MULTIPLES.0',
      'BENCH_RESTARTS',
      'BENCH_SCENARIOS.1',
    ]);
  });
});
