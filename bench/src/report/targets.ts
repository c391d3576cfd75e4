import type { LifecycleResult, LifecycleStep } from '../scenarios/lifecycle-throughput.js';
import type { OverloadResult } from '../scenarios/overload.js';
import type { PgbenchResult } from '../scenarios/pgbench-reference.js';
import type { QueryResult } from '../scenarios/query-throughput.js';
import type { ResumeResult } from '../scenarios/resumable-stream.js';
import type { FanoutResult, FanoutStep } from '../scenarios/subscription-fanout.js';
import * as fmt from './format.js';

/** The throughput issue's targets; the benchmark reports against them, nothing fails on them. */
export const TARGETS = {
  lifecycleRatio: 1.0,
  createP99Ms: 20,
  createP99AtRate: 300,
  overloadMultiple: 5,
  overloadCompletedShare: 0.9,
  overloadRefusalP99Ms: 50,
  overloadAcceptedP99Ms: 250,
  queryRatio: 0.6,
  fanoutSubscribers: 10_000,
  fanoutP99Ms: 100,
  fanoutBytesPerConnection: 50_000,
  resumeSubscribers: 1_000,
} as const;

export type TargetStatus = 'met' | 'missed' | 'not measured';

/** One target, what the run measured against it, and where it stands. */
export interface TargetCheck {
  target: string;
  measured: string;
  status: TargetStatus;
}

/** What the targets are judged from: the results of the scenarios that ran (null: not run). */
export interface TargetInputs {
  pgbench: PgbenchResult | null;
  lifecycle: LifecycleResult | null;
  overload: OverloadResult | null;
  query: QueryResult | null;
  fanout: FanoutResult | null;
  /** Absent in results from before the resume scenario existed. */
  resume?: ResumeResult | null;
}

const verdict = (met: boolean): TargetStatus => (met ? 'met' : 'missed');
const notMeasured = (target: string, why: string): TargetCheck => ({
  target,
  measured: why,
  status: 'not measured',
});

/** Orders lost (acknowledged and missing, or never finished) and histories lost or doubled. */
export function damage(step: LifecycleStep): { lost: number; badHistory: number } {
  return { lost: step.unfinished + step.missing, badHistory: step.badHistory };
}

/** The lifecycle target: the best held rate against pgbench, with nothing lost in any step. */
export function lifecycleCheck(
  lifecycle: LifecycleResult | null,
  pgbench: PgbenchResult | null,
): TargetCheck {
  const target = `Lifecycle throughput ≥ ${fmt.num(TARGETS.lifecycleRatio, 1)} × pgbench of the same run, nothing lost or duplicated`;
  const reference = pgbench?.best?.tps ?? null;
  if (lifecycle === null) return notMeasured(target, 'lifecycle not run');
  if (reference === null) return notMeasured(target, 'no pgbench reference in this run');
  const lost = lifecycle.steps.reduce((sum, s) => sum + damage(s).lost, 0);
  const bad = lifecycle.steps.reduce((sum, s) => sum + damage(s).badHistory, 0);
  const best = lifecycle.best;
  if (best === null) {
    return {
      target,
      measured: `no rate held; lost ${lost}, bad histories ${bad}`,
      status: 'missed',
    };
  }
  const ratio = best.completedPerSecond / reference;
  return {
    target,
    measured:
      `${fmt.num(ratio, 2)} × (${fmt.num(best.completedPerSecond)} against ${fmt.num(reference)} lifecycles/s); ` +
      `lost ${lost}, bad histories ${bad} over all steps`,
    status: verdict(ratio >= TARGETS.lifecycleRatio && lost === 0 && bad === 0),
  };
}

/** createOrder p99 at the targeted rate; a rate never reached because a lower one failed misses. */
export function createLatencyCheck(lifecycle: LifecycleResult | null): TargetCheck {
  const rate = TARGETS.createP99AtRate;
  const target = `createOrder p99 ≤ ${TARGETS.createP99Ms} ms at ${rate}/s`;
  if (lifecycle === null) return notMeasured(target, 'lifecycle not run');
  const step = lifecycle.steps.find((s) => s.rate === rate);
  if (step === undefined) {
    const held = lifecycle.highestHeldRate ?? 0;
    return held < rate && !lifecycle.stoppedByBudget
      ? { target, measured: `${rate}/s not reached (highest held ${held}/s)`, status: 'missed' }
      : notMeasured(target, `${rate}/s not among the rates tried`);
  }
  const p99 = step.createLatencyMs.p99;
  return {
    target,
    measured: `p99 ${fmt.ms(p99)} ms${step.held ? '' : ` (rate not held: ${step.shortfalls.join('; ')})`}`,
    status: verdict(p99 !== null && p99 <= TARGETS.createP99Ms),
  };
}

/** The overload targets, each on its own line, for the step at `multiple` × the held rate. */
export function overloadChecks(
  overload: OverloadResult | null,
  multiple: number = TARGETS.overloadMultiple,
): TargetCheck[] {
  const at = `At ${multiple} × the highest held rate`;
  const targets = [
    `${at}: completed ≥ ${fmt.num(TARGETS.overloadCompletedShare * 100)} % of that rate`,
    `${at}: refusals p99 ≤ ${TARGETS.overloadRefusalP99Ms} ms`,
    `${at}: accepted createOrder p99 ≤ ${TARGETS.overloadAcceptedP99Ms} ms`,
    `${at}: zero errors other than the coded refusal, nothing accepted lost`,
  ];
  const step = overload?.steps.find((s) => s.multiple === multiple);
  if (overload === null || step === undefined) {
    const why = overload === null ? 'overload not run' : `${multiple} × not among the multiples`;
    return targets.map((target) => notMeasured(target, why));
  }
  const share = step.completedPerSecond / overload.baseRate;
  const refusalP99 = step.refusalLatencyMs.p99;
  const acceptedP99 = step.createLatencyMs.p99;
  const { lost, badHistory } = damage(step);
  // A refused request must not have made an order: more unacknowledged orders than requests
  // that failed without an answer means one did.
  const madeByRefusals = Math.max(0, step.unacknowledged - step.failedRequests);
  const [completedTarget, refusalTarget, acceptedTarget, errorsTarget] = targets as [
    string,
    string,
    string,
    string,
  ];
  return [
    {
      target: completedTarget,
      measured: `${fmt.num(step.completedPerSecond)}/s = ${fmt.num(share * 100)} % of ${fmt.num(overload.baseRate)}/s`,
      status: verdict(share >= TARGETS.overloadCompletedShare),
    },
    {
      target: refusalTarget,
      measured:
        refusalP99 === null
          ? 'nothing refused'
          : `p99 ${fmt.ms(refusalP99)} ms over ${fmt.num(step.refusalLatencyMs.count)} refusals`,
      // With nothing refused no refusal was slow; the other targets judge such a step.
      status: verdict(refusalP99 === null || refusalP99 <= TARGETS.overloadRefusalP99Ms),
    },
    {
      target: acceptedTarget,
      measured: acceptedP99 === null ? 'nothing accepted' : `p99 ${fmt.ms(acceptedP99)} ms`,
      status: verdict(acceptedP99 !== null && acceptedP99 <= TARGETS.overloadAcceptedP99Ms),
    },
    {
      target: errorsTarget,
      measured:
        `${fmt.num(step.failedRequests)} errors${fmt.reasons(step.failures)}; lost ${lost}, ` +
        `bad histories ${badHistory}, orders made by refused requests ${madeByRefusals}`,
      status: verdict(
        step.failedRequests === 0 && lost === 0 && badHistory === 0 && madeByRefusals === 0,
      ),
    },
  ];
}

export function queryCheck(query: QueryResult | null): TargetCheck {
  const target = `order(id) ≥ ${TARGETS.queryRatio * 100} % of { __typename } on the same process`;
  if (query === null) return notMeasured(target, 'query not run');
  return {
    target,
    measured: `${fmt.num(query.ratio * 100)} % (${fmt.num(query.order.requestsPerSecond)} against ${fmt.num(query.trivial.requestsPerSecond)} req/s)`,
    status: verdict(query.ratio >= TARGETS.queryRatio),
  };
}

/** The fan-out step the targets are about: the targeted number of subscribers. */
export function targetedFanoutStep(fanout: FanoutResult | null): FanoutStep | null {
  return fanout?.steps.find((s) => s.subscribers === TARGETS.fanoutSubscribers) ?? null;
}

/** The fan-out targets, each on its own line; all need the subscribers on one process. */
export function fanoutChecks(fanout: FanoutResult | null): TargetCheck[] {
  const at = `${fmt.num(TARGETS.fanoutSubscribers)} concurrent subscribers on one process`;
  const targets = [
    `${at}: event-to-client p99 ≤ ${TARGETS.fanoutP99Ms} ms`,
    `${at}: ≤ ${TARGETS.fanoutBytesPerConnection / 1000} kB RSS each`,
    `${at}: none missed`,
  ] as const;
  const step = targetedFanoutStep(fanout);
  if (step === null) {
    const why =
      fanout === null ? 'fan-out not run' : `${TARGETS.fanoutSubscribers} not among the steps`;
    return targets.map((target) => notMeasured(target, why));
  }
  const oneProcess = step.processes === 1;
  const where = oneProcess ? '' : ` (on ${step.processes} processes: the open-files limit)`;
  const p99 = step.latencyMs.p99;
  return [
    {
      target: targets[0],
      measured: `p99 ${fmt.ms(p99)} ms${where}`,
      status: verdict(oneProcess && p99 !== null && p99 <= TARGETS.fanoutP99Ms),
    },
    {
      target: targets[1],
      measured: `${fmt.num(step.rssPerConnectionBytes / 1000, 1)} kB${where}`,
      status: verdict(oneProcess && step.rssPerConnectionBytes <= TARGETS.fanoutBytesPerConnection),
    },
    {
      target: targets[2],
      measured:
        `missed ${step.missed}, duplicated ${step.duplicated}, broken ${step.broken}, ` +
        `connected ${fmt.num(step.connected)} of ${fmt.num(step.subscribers)}${where}`,
      status: verdict(oneProcess && step.complete),
    },
  ];
}

/** The resumable stream's target: subscribers resuming from their cursors lose and double nothing. */
export function resumeCheck(resume: ResumeResult | null | undefined): TargetCheck {
  const target = `${fmt.num(TARGETS.resumeSubscribers)} subscribers dropping and resuming from their cursor every few seconds: none missed, none duplicated`;
  if (resume === null || resume === undefined) return notMeasured(target, 'resume not run');
  const enough = resume.subscribers >= TARGETS.resumeSubscribers;
  return {
    target,
    measured:
      `missed ${resume.missed}, duplicated ${resume.duplicated}, out of order ${resume.outOfOrder}, ` +
      `errors ${resume.errors}, over ${fmt.num(resume.resumes)} resumes of ${fmt.num(resume.subscribers)} subscribers`,
    status: verdict(enough && resume.complete),
  };
}

/** Every target of the throughput issue, in the issue's order, then the event stream's. */
export function targetChecks(inputs: TargetInputs): TargetCheck[] {
  return [
    lifecycleCheck(inputs.lifecycle, inputs.pgbench),
    createLatencyCheck(inputs.lifecycle),
    ...overloadChecks(inputs.overload),
    queryCheck(inputs.query),
    ...fanoutChecks(inputs.fanout),
    resumeCheck(inputs.resume),
  ];
}

/** Met when every check is; not measured when any is and none missed. */
export function overallStatus(checks: readonly TargetCheck[]): TargetStatus {
  if (checks.some((c) => c.status === 'missed')) return 'missed';
  if (checks.some((c) => c.status === 'not measured')) return 'not measured';
  return 'met';
}
