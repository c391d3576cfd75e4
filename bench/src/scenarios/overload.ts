import type { BenchSettings } from '../config/bench-settings.js';
import { runLoadStep, type LifecycleStep, type LifecycleTarget } from './lifecycle-throughput.js';

/** One overload step: a multiple of the held rate offered for the measured window. */
export interface OverloadStep extends LifecycleStep {
  multiple: number;
}

export interface OverloadResult {
  /** The rate the multiples apply to: the highest rate the lifecycle held. */
  baseRate: number;
  /** Whether that rate was measured in this run or given by BENCH_OVERLOAD_BASE_RATE. */
  baseFrom: 'lifecycle' | 'setting';
  steps: OverloadStep[];
}

/**
 * The rate the overload multiples apply to: BENCH_OVERLOAD_BASE_RATE when given, else the
 * highest rate the lifecycle held in this run; null when there is neither.
 */
export function overloadBase(
  setting: number | undefined,
  highestHeld: number | null,
): { rate: number; from: OverloadResult['baseFrom'] } | null {
  if (setting !== undefined) return { rate: setting, from: 'setting' };
  return highestHeld === null ? null : { rate: highestHeld, from: 'lifecycle' };
}

/** The rate offered at `multiple` times `base`, in whole requests per second. */
export function overloadRate(base: number, multiple: number): number {
  return Math.max(1, Math.round(base * multiple));
}

/**
 * Offers multiples of the held rate, each for a warm-up and the measured window, on the stack
 * the lifecycle ran on. A refusal (503, Retry-After, SERVICE_OVERLOADED) is an expected answer
 * here; anything else that is not an order is an error. Every accepted order is read back
 * through the API as in the lifecycle scenario: nothing accepted may be lost.
 */
export async function runOverload(
  settings: BenchSettings,
  target: LifecycleTarget,
  base: { rate: number; from: OverloadResult['baseFrom'] },
  log: (line: string) => void,
): Promise<OverloadResult> {
  const steps: OverloadStep[] = [];
  for (const multiple of settings.overloadMultiples) {
    const rate = overloadRate(base.rate, multiple);
    const { step } = await runLoadStep(settings, target, rate);
    steps.push({ ...step, multiple });
    log(
      `overload ${multiple} × ${base.rate}/s = ${rate}/s offered: ` +
        `${step.completedPerSecond.toFixed(0)}/s completed, ${step.refusedPerSecond.toFixed(0)}/s refused ` +
        `(p99 ${step.refusalLatencyMs.p99?.toFixed(1) ?? '-'} ms), accepted p99 ` +
        `${step.createLatencyMs.p99?.toFixed(1) ?? '-'} ms, errors ${step.failedRequests}, ` +
        `lost ${step.unfinished + step.missing}`,
    );
  }
  return { baseRate: base.rate, baseFrom: base.from, steps };
}
