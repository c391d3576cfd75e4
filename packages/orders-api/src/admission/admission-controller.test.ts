import { describe, expect, it } from 'vitest';
import {
  AdmissionController,
  type AdmissionDecision,
  type RefusalReason,
} from './admission-controller.js';
import { ConcurrencyLimit } from './concurrency-limit.js';

/** A controller on a clock the test moves, with every refusal's reason recorded. */
function controller(
  limit: { min: number; initial: number; max: number } = { min: 2, initial: 3, max: 10 },
) {
  const clock = { now: 0 };
  const refusals: RefusalReason[] = [];
  const admission = new AdmissionController({
    limit: new ConcurrencyLimit({ ...limit, tolerance: 2 }),
    maxJobAgeMs: 3_000,
    maxEventLoopDelayMs: 50,
    retryAfterSeconds: 2,
    now: () => clock.now,
    onRefusal: (reason) => refusals.push(reason),
  });
  return { admission, clock, refusals };
}

function admitted(decision: AdmissionDecision): () => void {
  if (!decision.admitted) throw new Error(`refused: ${decision.reason}`);
  return decision.release;
}

describe('AdmissionController', () => {
  it('admits up to the concurrency limit, refuses the next at once, and admits again on release', () => {
    const { admission, refusals } = controller();
    const releases = [admission.tryAdmit(), admission.tryAdmit(), admission.tryAdmit()].map(
      admitted,
    );
    expect(admission.state).toEqual({ limit: 3, inFlight: 3 });
    expect(admission.tryAdmit()).toEqual({
      admitted: false,
      reason: 'concurrency',
      retryAfterSeconds: 2,
    });
    expect(refusals).toEqual(['concurrency']);
    releases[0]?.();
    expect(admission.state.inFlight).toBe(2);
    expect(admission.tryAdmit().admitted).toBe(true);
  });

  it('counts a release once, however often it is called', () => {
    const { admission } = controller();
    const release = admitted(admission.tryAdmit());
    admitted(admission.tryAdmit());
    release();
    release();
    expect(admission.state.inFlight).toBe(1);
  });

  it('refuses all new work while the oldest due job is older than allowed, and none when unknown', () => {
    const { admission, refusals } = controller();
    admission.update({ oldestDueJobAgeMs: 3_001 });
    expect(admission.tryAdmit()).toEqual({
      admitted: false,
      reason: 'backlog',
      retryAfterSeconds: 2,
    });
    expect(admission.state.inFlight).toBe(0);

    admission.update({ oldestDueJobAgeMs: 3_000 });
    admitted(admission.tryAdmit());
    admission.update({ oldestDueJobAgeMs: null });
    admitted(admission.tryAdmit());
    admission.update({ oldestDueJobAgeMs: 0 });
    admitted(admission.tryAdmit());
    // At the limit and behind a backlog: the backlog is the reason given.
    admission.update({ oldestDueJobAgeMs: 60_000 });
    expect(admission.tryAdmit()).toMatchObject({ admitted: false, reason: 'backlog' });
    expect(refusals).toEqual(['backlog', 'backlog']);
  });

  it('keeps the signals it is not given anew', () => {
    const { admission } = controller();
    admission.update({ oldestDueJobAgeMs: 10_000 });
    admission.update({ eventLoopDelayMs: 5 });
    expect(admission.tryAdmit()).toMatchObject({ admitted: false, reason: 'backlog' });
  });

  it('lowers the limit when what it admits starts queueing, and admits fewer', () => {
    const { admission, clock } = controller({ min: 2, initial: 8, max: 16 });
    // Ten operations of 12 ms, one after the other: the baseline.
    for (let i = 0; i < 10; i++) {
      const release = admitted(admission.tryAdmit());
      clock.now += 12;
      release();
    }
    expect(admission.state.limit).toBe(8);
    // Then eight at a time, each taking 100 ms: even the fastest took 8 x the baseline.
    for (let round = 0; round < 2; round++) {
      const releases = Array.from({ length: 8 }, () => admitted(admission.tryAdmit()));
      clock.now += 100;
      for (const release of releases) release();
    }
    expect(admission.state.limit).toBe(4);
    const four = Array.from({ length: 4 }, () => admission.tryAdmit());
    expect(four.every((d) => d.admitted)).toBe(true);
    expect(admission.tryAdmit()).toMatchObject({ admitted: false, reason: 'concurrency' });
  });

  it('lowers the limit while the event loop is late, though each operation is quick', () => {
    const { admission, clock } = controller({ min: 2, initial: 8, max: 16 });
    const run = () => {
      for (let i = 0; i < 10; i++) {
        const release = admitted(admission.tryAdmit());
        clock.now += 12;
        release();
      }
    };
    run();
    admission.update({ eventLoopDelayMs: 51 });
    run();
    expect(admission.state.limit).toBe(6); // 8 x 0.8 = 6.4
    admission.update({ eventLoopDelayMs: 50 });
    run();
    expect(admission.state.limit).toBe(8);
  });
});
