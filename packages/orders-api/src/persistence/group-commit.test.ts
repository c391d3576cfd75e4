import { describe, expect, it } from 'vitest';
import { GroupCommit, type ItemResult } from './group-commit.js';

/** A writer whose batches finish when the test says so. */
function controlledWriter() {
  const batches: number[][] = [];
  const finish: (() => void)[] = [];
  const write = (items: readonly number[]): Promise<ItemResult<number>[]> => {
    batches.push([...items]);
    return new Promise((resolve) => {
      finish.push(() => {
        resolve(
          items.map((n) =>
            n < 0 ? { ok: false, error: new Error(`bad ${n}`) } : { ok: true, value: n * 10 },
          ),
        );
      });
    });
  };
  return { batches, finish, write };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));
/** Lets every callback now due run (a finished write schedules the next batch a turn later). */
const settle = async () => {
  for (let i = 0; i < 3; i++) await turn();
};

describe('GroupCommit', () => {
  it('writes what arrives in one turn as one batch, and each caller gets its own answer', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit({ write: writer.write, maxBatch: 10, maxInFlight: 1 });
    const answers = [group.submit(1), group.submit(-2), group.submit(3)];
    await turn();
    expect(writer.batches).toEqual([[1, -2, 3]]);
    writer.finish[0]?.();
    const settled = await Promise.allSettled(answers);
    expect(settled.map((s) => (s.status === 'fulfilled' ? s.value : String(s.reason)))).toEqual([
      10,
      'Error: bad -2',
      30,
    ]);
  });

  it('groups up what arrives while the batches in flight are written, up to the batch size', async () => {
    const writer = controlledWriter();
    const group = new GroupCommit({ write: writer.write, maxBatch: 3, maxInFlight: 1 });
    const first = group.submit(1);
    await turn();
    const later = [2, 3, 4, 5].map((n) => group.submit(n));
    await turn();
    // The first batch is still being written: nothing else has gone out.
    expect(writer.batches).toEqual([[1]]);
    expect(group.pending).toEqual({ waiting: 4, inFlight: 1 });
    writer.finish[0]?.();
    await first;
    await settle();
    expect(writer.batches).toEqual([[1], [2, 3, 4]]);
    writer.finish[1]?.();
    await settle();
    expect(writer.batches).toEqual([[1], [2, 3, 4], [5]]);
    writer.finish[2]?.();
    expect(await Promise.all(later)).toEqual([20, 30, 40, 50]);
  });

  it('fails every item of a batch whose write fails, and goes on with the next', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>({
      write: (items) => {
        calls++;
        return calls === 1
          ? Promise.reject(new Error('connection lost'))
          : Promise.resolve(items.map((n) => ({ ok: true as const, value: n })));
      },
      maxBatch: 10,
      maxInFlight: 2,
    });
    const lost = [group.submit(1), group.submit(2)];
    await expect(Promise.all(lost)).rejects.toThrow('connection lost');
    await expect(lost[1]).rejects.toThrow('connection lost');
    expect(await group.submit(3)).toBe(3);
  });
});
