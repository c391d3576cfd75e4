import { describe, expect, it } from 'vitest';
import { disposeLeftovers, leftoverCount, trackLeftover } from './leftovers.js';

describe('leftovers', () => {
  it('are disposed of newest first, each once, and the list is empty afterwards', async () => {
    const order: string[] = [];
    trackLeftover({ dispose: () => Promise.resolve(void order.push('service')) });
    trackLeftover({ dispose: () => Promise.resolve(void order.push('relay')) });
    expect(leftoverCount()).toBe(2);
    await disposeLeftovers();
    await disposeLeftovers();
    expect(order).toEqual(['relay', 'service']);
    expect(leftoverCount()).toBe(0);
  });

  it('one that ended by itself is taken off the list and not disposed of again', async () => {
    let disposed = 0;
    const untrack = trackLeftover({
      dispose: () => {
        disposed += 1;
        return Promise.resolve();
      },
    });
    untrack();
    untrack();
    await disposeLeftovers();
    expect(disposed).toBe(0);
  });

  it('one failing does not keep the others alive, and the failure is reported', async () => {
    const order: string[] = [];
    trackLeftover({ dispose: () => Promise.resolve(void order.push('first')) });
    trackLeftover({ dispose: () => Promise.reject(new Error('stuck')) });
    trackLeftover({ dispose: () => Promise.resolve(void order.push('last')) });
    const failure = await disposeLeftovers().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors.map((e) => String(e))).toEqual(['Error: stuck']);
    expect(order).toEqual(['last', 'first']);
    expect(leftoverCount()).toBe(0);
  });
});
