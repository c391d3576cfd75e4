import { describe, expect, it } from 'vitest';
import type { LoadSignals } from './admission-controller.js';
import { LoadSampler, type EventLoopDelayReader } from './load-sampler.js';

/** A backlog read the test answers when it chooses. */
function pendingRead() {
  const calls: { resolve: (age: number | null) => void; reject: (error: Error) => void }[] = [];
  const read = () =>
    new Promise<number | null>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { read, calls };
}

function sampler(read: () => Promise<number | null>, delays: (number | null)[] = []) {
  const seen: Partial<LoadSignals>[] = [];
  const errors: unknown[] = [];
  let stopped = false;
  const eventLoopDelay: EventLoopDelayReader = {
    read: () => delays.shift() ?? null,
    stop: () => {
      stopped = true;
    },
  };
  const instance = new LoadSampler({
    oldestDueJobAge: read,
    eventLoopDelay,
    onSignals: (signals) => seen.push(signals),
    onError: (error) => errors.push(error),
  });
  return { instance, seen, errors, stopped: () => stopped };
}

describe('LoadSampler', () => {
  it('passes on the event-loop delay and the backlog age in milliseconds (none due: 0)', async () => {
    const ages = [2.5, null];
    const { instance, seen } = sampler(() => Promise.resolve(ages.shift() ?? null), [12, null]);
    await instance.sample();
    await instance.sample();
    expect(seen).toEqual([
      { eventLoopDelayMs: 12 },
      { oldestDueJobAgeMs: 2_500 },
      { eventLoopDelayMs: null },
      { oldestDueJobAgeMs: 0 },
    ]);
  });

  it('does not start a backlog read while one is running', async () => {
    const backlog = pendingRead();
    const { instance, seen } = sampler(backlog.read, [1, 2]);
    const first = instance.sample();
    const second = instance.sample();
    expect(backlog.calls).toHaveLength(1);
    // The event loop is read each time all the same.
    expect(seen).toEqual([{ eventLoopDelayMs: 1 }, { eventLoopDelayMs: 2 }]);
    backlog.calls[0]?.resolve(4);
    await Promise.all([first, second]);
    expect(seen.at(-1)).toEqual({ oldestDueJobAgeMs: 4_000 });
    void instance.sample();
    expect(backlog.calls).toHaveLength(2);
  });

  it('makes the backlog unknown when it cannot be read, and says so once until it can', async () => {
    const backlog = pendingRead();
    const { instance, seen, errors } = sampler(backlog.read);
    const failures = [new Error('down'), new Error('still down')];
    for (const failure of failures) {
      const sampled = instance.sample();
      backlog.calls.at(-1)?.reject(failure);
      await sampled;
    }
    expect(errors).toEqual([failures[0]]);
    expect(seen.filter((s) => 'oldestDueJobAgeMs' in s)).toEqual([
      { oldestDueJobAgeMs: null },
      { oldestDueJobAgeMs: null },
    ]);

    let sampled = instance.sample();
    backlog.calls.at(-1)?.resolve(1);
    await sampled;
    sampled = instance.sample();
    const again = new Error('down again');
    backlog.calls.at(-1)?.reject(again);
    await sampled;
    expect(errors).toEqual([failures[0], again]);
  });

  it('on stop, waits for the read in progress and stops reading the event loop', async () => {
    const backlog = pendingRead();
    const { instance, seen, stopped } = sampler(backlog.read);
    void instance.sample();
    let done = false;
    const stopping = instance.stop().then(() => {
      done = true;
    });
    await Promise.resolve();
    expect(done).toBe(false);
    expect(stopped()).toBe(true);
    backlog.calls[0]?.resolve(null);
    await stopping;
    expect(done).toBe(true);
    expect(seen.at(-1)).toEqual({ oldestDueJobAgeMs: 0 });
  });
});
