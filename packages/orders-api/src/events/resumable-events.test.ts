import { describe, expect, it } from 'vitest';
import type { EventPosition } from '../domain/event-cursor.js';
import { compareEventPositions } from '../domain/event-cursor.js';
import type { OrderEvent, OrderEventFilter } from '../domain/order-event.js';
import { FanOut } from './fan-out.js';
import { ResumableEvents, type EventSources } from './resumable-events.js';

const EVERYONE: OrderEventFilter = { orderId: null, customerId: null };

/** An event at position `n` of transaction 1. */
function event(n: number): OrderEvent {
  const at = new Date(0);
  return {
    at: { xid: '1', position: String(n) },
    orderId: `order-${n}`,
    version: 1,
    from: null,
    to: 'CREATED',
    time: at,
    reason: null,
    order: {
      id: `order-${n}`,
      number: 1000 + n,
      version: 1,
      status: 'CREATED',
      items: [],
      total: 0,
      currency: 'EUR',
      customerId: 'c',
      createdAt: at,
      updatedAt: at,
      cancellationReason: null,
      customer: null,
      shippingAddress: null,
      nextAction: null,
      history: [
        { from: null, to: 'CREATED', at, reason: null, actor: { kind: 'CUSTOMER', id: 'c' } },
      ],
    },
  };
}

/** A log in memory and a live fan-out over it; `beforeRead` runs before each read. */
function sources(log: OrderEvent[], beforeRead: (reads: number) => void = () => undefined) {
  const fanOut = new FanOut<OrderEvent>();
  let reads = 0;
  const fake: EventSources = {
    live: (_filter, maxQueued) => fanOut.subscribe(null, { maxQueued }),
    read: (after: EventPosition, limit: number) => {
      beforeRead(++reads);
      const events = log.filter((e) => compareEventPositions(e.at, after) > 0).slice(0, limit);
      return Promise.resolve({ events, entries: events.length, end: events.at(-1)?.at ?? null });
    },
  };
  return { fake, fanOut, reads: () => reads };
}

async function take(events: AsyncIterator<OrderEvent>, count: number): Promise<number[]> {
  const taken: number[] = [];
  for (let i = 0; i < count; i++) {
    const next = await events.next();
    if (next.done === true) break;
    taken.push(Number(next.value.at.position));
  }
  return taken;
}

describe('ResumableEvents', () => {
  it('replays after the cursor, then takes the live queue without what the replay already gave', async () => {
    const log = [1, 2, 3, 4, 5].map(event);
    const { fake, fanOut } = sources(log, (reads) => {
      // While it replays, the stream publishes 4, 5 and then 6, which the log gets too.
      if (reads === 2) {
        fanOut.publish('x', event(4));
        fanOut.publish('x', event(5));
        log.push(event(6));
        fanOut.publish('x', event(6));
      }
    });
    const events = new ResumableEvents(
      fake,
      EVERYONE,
      { xid: '1', position: '1' },
      {
        batchSize: 2,
        maxQueued: 10,
      },
    );
    expect(await take(events, 5)).toEqual([2, 3, 4, 5, 6]);
    fanOut.publish('x', event(7));
    expect(await take(events, 1)).toEqual([7]);
    await events.return();
    expect(fanOut.listened).toBe(false);
  });

  it('drops an overflowing queue and catches up from the log, registering anew', async () => {
    const log = [1, 2, 3].map(event);
    const { fake, fanOut, reads } = sources(log, (n) => {
      if (n === 1) {
        for (const p of [4, 5, 6, 7]) {
          log.push(event(p));
          fanOut.publish('x', event(p));
        }
      }
    });
    const events = new ResumableEvents(
      fake,
      EVERYONE,
      { xid: '0', position: '0' },
      {
        batchSize: 10,
        maxQueued: 2,
      },
    );
    expect(await take(events, 7)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // The read came back short but the queue had overflowed: it reads again, registered anew.
    log.push(event(8));
    expect(await take(events, 1)).toEqual([8]);
    expect(reads()).toBe(2);
    expect(fanOut.listened).toBe(true);
    fanOut.publish('x', event(9));
    expect(await take(events, 1)).toEqual([9]);
  });

  it('live from now: a reader too slow for its queue goes on from the log where it lost track', async () => {
    const log: OrderEvent[] = [];
    const { fake, fanOut } = sources(log);
    const events = new ResumableEvents(fake, EVERYONE, null, { batchSize: 2, maxQueued: 2 });
    for (const p of [1, 2, 3, 4, 5]) {
      log.push(event(p));
      fanOut.publish('x', event(p));
    }
    expect(await take(events, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('ends a pending read when the subscription ends', async () => {
    const { fake, fanOut } = sources([]);
    const events = new ResumableEvents(fake, EVERYONE, null, { batchSize: 2, maxQueued: 2 });
    const pending = events.next();
    await events.return();
    expect(await pending).toEqual({ done: true, value: undefined });
    expect(fanOut.listened).toBe(false);
  });
});
