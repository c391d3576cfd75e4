import { describe, expect, it } from 'vitest';
import { FanOut } from './fan-out.js';

describe('FanOut', () => {
  it('registers a subscriber at once, so it gets what is published before its first read', async () => {
    const fanOut = new FanOut<number>();
    expect(fanOut.listened).toBe(false);
    const one = fanOut.subscribe('a');
    const all = fanOut.subscribe(null);
    expect(fanOut.listened).toBe(true);
    fanOut.publish('a', 1);
    fanOut.publish('b', 2);
    expect(await one.next()).toEqual({ done: false, value: 1 });
    expect(await all.next()).toEqual({ done: false, value: 1 });
    expect(await all.next()).toEqual({ done: false, value: 2 });
    const pending = one.next();
    fanOut.publish('a', 3);
    expect(await pending).toEqual({ done: false, value: 3 });
  });

  it('forgets a subscriber that ended, and ends a pending read', async () => {
    const fanOut = new FanOut<number>();
    const one = fanOut.subscribe('a');
    const pending = one.next();
    await one.return?.();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(fanOut.listened).toBe(false);
    fanOut.publish('a', 1);
    expect(await one.next()).toEqual({ done: true, value: undefined });
  });

  it('queues only what a subscriber accepts, and ends one whose queue overflows, saying so', async () => {
    const fanOut = new FanOut<number>();
    const even = fanOut.subscribe(null, { accept: (n) => n % 2 === 0, maxQueued: 2 });
    fanOut.publish('a', 1);
    fanOut.publish('a', 2);
    fanOut.publish('a', 3);
    fanOut.publish('a', 4);
    expect(even.overflowed).toBe(false);
    expect(await even.next()).toEqual({ done: false, value: 2 });
    fanOut.publish('a', 6);
    fanOut.publish('a', 8);
    expect(even.overflowed).toBe(true);
    expect(even.firstDropped).toBe(4);
    expect(fanOut.listened).toBe(false);
    expect(await even.next()).toEqual({ done: true, value: undefined });
  });
});
