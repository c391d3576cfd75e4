import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { PER_CUSTOMER_ACCESS, bearer, signToken } from './support/access.js';
import { waitForLogHorizon } from './support/orders-database.js';
import { scrape, valueOf } from './support/prometheus.js';
import {
  CANCEL_ORDER,
  CREATE_ORDER,
  Stack,
  eventually,
  orderInput,
  type GraphQLErrorBody,
  type OrderResult,
  PAYMENTS_NEVER_ANSWER,
} from './support/stack.js';

const EVENT_FIELDS = `cursor orderId version from to at reason
  order { id status customerId cancellationReason history { from to reason } }`;
const PAGE = `query Page($after: String, $first: Int, $orderId: ID) {
  orderEvents(after: $after, first: $first, orderId: $orderId) {
    edges { cursor node { ${EVENT_FIELDS} } }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}`;
const LIVE = `subscription Live($id: ID, $after: String) { orderEvents(id: $id, after: $after) { ${EVENT_FIELDS} } }`;
const LIST = `query { orders(first: 1) { pageInfo { endCursor } } }`;

interface Event {
  cursor: string;
  orderId: string;
  version: number;
  from: string | null;
  to: string;
  at: string;
  reason: string | null;
  order: {
    id: string;
    status: string;
    customerId: string;
    cancellationReason: string | null;
    history: { from: string | null; to: string; reason: string | null }[];
  };
}
interface Page {
  orderEvents: {
    edges: { cursor: string; node: Event }[];
    pageInfo: {
      hasNextPage: boolean;
      hasPreviousPage: boolean;
      startCursor: string | null;
      endCursor: string | null;
    };
  };
}

/** An event as a short line, to compare sequences. */
const line = (e: Event) => `${e.orderId} v${e.version} ${e.from ?? '-'}>${e.to}`;

describe('order events: a page of the log, and a subscription that resumes from a cursor', () => {
  let stack: Stack;
  let alice: string;
  let bob: string;
  let admin: string;
  /** Every event the tests made, in the order they were committed (one at a time), by owner. */
  const made: { token: string; orderId: string; version: number; to: string }[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        ...PER_CUSTOMER_ACCESS,
        // Nothing answers there and the first retry is a minute away: an order stays CREATED
        // until a test cancels it, so every event here is one a test caused.
        ...PAYMENTS_NEVER_ANSWER,
      },
    });
    alice = await signToken({ sub: 'events-alice' });
    bob = await signToken({ sub: 'events-bob' });
    admin = await signToken({ sub: 'events-support', roles: ['admin'] });
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) await client.dispose();
    await stack.close();
  });

  async function create(token: string): Promise<OrderResult> {
    const result = await stack.gql<{ createOrder: OrderResult }>(
      CREATE_ORDER,
      { input: orderInput() },
      bearer(token),
    );
    if (!result.data?.createOrder) throw new Error(`create failed: ${JSON.stringify(result)}`);
    made.push({ token, orderId: result.data.createOrder.id, version: 1, to: 'CREATED' });
    return result.data.createOrder;
  }

  async function cancel(token: string, id: string, reason: string): Promise<void> {
    const result = await stack.gql(CANCEL_ORDER, { id, reason }, bearer(token));
    expect(result.errors).toBeUndefined();
    // The event is the owner's, whoever cancelled.
    const owner = made.find((m) => m.orderId === id)?.token ?? token;
    made.push({ token: owner, orderId: id, version: 2, to: 'CANCELLED' });
  }

  function page(token: string, variables: Record<string, unknown>) {
    return stack.gql<Page>(PAGE, variables, bearer(token));
  }

  /** Every event the token may see, read page by page of `first`, after `after`. */
  async function readAll(token: string, first: number, after: string | null = null) {
    // What the tests committed is in the log once every transaction begun before has ended.
    await waitForLogHorizon();
    const events: Event[] = [];
    let cursor = after;
    for (let pages = 0; pages < 100; pages++) {
      const result = await page(token, { first, after: cursor });
      expect(result.errors).toBeUndefined();
      const connection = result.data?.orderEvents;
      if (connection === undefined) throw new Error('no page');
      events.push(...connection.edges.map((e) => e.node));
      expect(connection.edges.length).toBeLessThanOrEqual(first);
      if (!connection.pageInfo.hasNextPage) return events;
      cursor = connection.pageInfo.endCursor;
    }
    throw new Error('more than 100 pages');
  }

  function client(token: string): Client {
    const made = createClient({
      url: stack.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      connectionParams: { authorization: `Bearer ${token}` },
    });
    clients.push(made);
    return made;
  }

  /** One operation over graphql-ws: its data, or the errors the server sent. */
  function overWebSocket(
    token: string,
    query: string,
    variables: Record<string, unknown>,
  ): Promise<{ data?: unknown; errors?: GraphQLErrorBody[] }> {
    return new Promise((resolve, reject) => {
      let result: { data?: unknown; errors?: GraphQLErrorBody[] } = {};
      client(token).subscribe(
        { query, variables },
        {
          next: (value) => {
            result = value as typeof result;
          },
          error: (error: unknown) => {
            if (Array.isArray(error)) resolve({ errors: error as GraphQLErrorBody[] });
            else reject(error instanceof Error ? error : new Error(JSON.stringify(error)));
          },
          complete: () => {
            resolve(result);
          },
        },
      );
    });
  }

  /** Subscriptions this file holds open, which the server's gauge must come to. */
  let held = 0;
  const openSubscriptions = async () =>
    valueOf(
      await scrape(stack.graphqlUrl.replace(/\/graphql$/, '')),
      'graphql_active_subscriptions',
    );

  /** Subscribes and resolves once the server holds the subscription. */
  async function subscribe(token: string, variables: Record<string, unknown>) {
    const sub = stack.subscribe<{ orderEvents: Event }>(LIVE, variables, {
      authorization: `Bearer ${token}`,
    });
    held++;
    await eventually(openSubscriptions, (n) => n === held);
    return sub;
  }

  /** Ends subscriptions and waits until the server has let go of them. */
  async function stop(...subs: { stop(): void }[]) {
    for (const sub of subs) sub.stop();
    held -= subs.length;
    await eventually(openSubscriptions, (n) => n === held);
  }

  /** The events of `made` a token may see, as lines. */
  const expectedFor = (token: string | null, orderId?: string) =>
    made
      .filter((m) => token === null || m.token === token)
      .filter((m) => orderId === undefined || m.orderId === orderId)
      .map((m) => `${m.orderId} v${m.version} ${m.to === 'CREATED' ? '-' : 'CREATED'}>${m.to}`);

  it('pages through every event oldest first, strictly after the cursor, each as of its order then', async () => {
    const a1 = await create(alice);
    const b1 = await create(bob);
    const a2 = await create(alice);
    await cancel(alice, a1.id, 'first one');
    await create(bob);
    await cancel(bob, b1.id, 'not needed');
    await cancel(admin, a2.id, 'by support');

    const all = await readAll(admin, 2);
    expect(all.map(line)).toEqual(expectedFor(null));
    // Cursors sort as strings in log order; each event shows the order as it was then.
    const cursors = all.map((e) => e.cursor);
    expect([...cursors].sort()).toEqual(cursors);
    expect(new Set(cursors).size).toBe(cursors.length);
    for (const event of all) {
      expect(event.order.id).toBe(event.orderId);
      expect(event.order.status).toBe(event.to);
      expect(event.order.history).toHaveLength(event.version);
      expect(event.order.history.at(-1)).toMatchObject({ from: event.from, to: event.to });
    }
    const cancelledA1 = all.find((e) => e.orderId === a1.id && e.to === 'CANCELLED');
    expect(cancelledA1).toMatchObject({ from: 'CREATED', reason: 'first one' });
    expect(cancelledA1?.order.cancellationReason).toBe('first one');
    const createdA1 = all.find((e) => e.orderId === a1.id && e.to === 'CREATED');
    expect(createdA1).toMatchObject({ from: null, reason: null, version: 1 });
    expect(createdA1?.order).toMatchObject({ status: 'CREATED', cancellationReason: null });

    // Strictly after: from the third event's cursor, the fourth on; the last cursor gives none.
    const third = all[2];
    if (third === undefined) throw new Error('too few events');
    const rest = await page(admin, { after: third.cursor, first: 500 });
    expect(rest.data?.orderEvents.edges.map((e) => line(e.node))).toEqual(all.slice(3).map(line));
    expect(rest.data?.orderEvents.pageInfo).toMatchObject({
      hasNextPage: false,
      startCursor: all[3]?.cursor,
      endCursor: all.at(-1)?.cursor,
    });
    const none = await page(admin, { after: all.at(-1)?.cursor });
    expect(none.data?.orderEvents).toEqual({
      edges: [],
      pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
    });
    // The default page is 100 events.
    const whole = await page(admin, {});
    expect(whole.data?.orderEvents.edges.map((e) => line(e.node))).toEqual(all.map(line));
    const firstTwo = await page(admin, { first: 2 });
    expect(firstTwo.data?.orderEvents.pageInfo.hasNextPage).toBe(true);
    expect(firstTwo.data?.orderEvents.edges.map((e) => e.cursor)).toEqual(cursors.slice(0, 2));
  });

  it('shows a customer the events of their own orders only, and narrows to one order', async () => {
    const mine = await readAll(alice, 3);
    expect(mine.map(line)).toEqual(expectedFor(alice));
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((e) => e.order.customerId === 'events-alice')).toBe(true);
    expect((await readAll(bob, 500)).map(line)).toEqual(expectedFor(bob));

    const [ofAlice] = made.filter((m) => m.token === alice);
    const [ofBob] = made.filter((m) => m.token === bob);
    if (ofAlice === undefined || ofBob === undefined) throw new Error('no orders');
    const one = await page(alice, { orderId: ofAlice.orderId.toUpperCase() });
    expect(one.data?.orderEvents.edges.map((e) => line(e.node))).toEqual(
      expectedFor(alice, ofAlice.orderId),
    );
    const asAdmin = await page(admin, { orderId: ofBob.orderId });
    expect(asAdmin.data?.orderEvents.edges.map((e) => line(e.node))).toEqual(
      expectedFor(bob, ofBob.orderId),
    );
    // Another customer's order answers exactly as an order that does not exist: no events.
    const foreign = await page(alice, { orderId: ofBob.orderId });
    const unknown = await page(alice, { orderId: '0190f1f6-0000-7000-8000-000000000000' });
    expect(foreign).toEqual(unknown);
    expect(foreign.data?.orderEvents.edges).toEqual([]);
  });

  it('refuses a malformed or foreign cursor naming `after`, and a page size out of 1..500 naming `first`', async () => {
    const list = await stack.gql<{ orders: { pageInfo: { endCursor: string } } }>(
      LIST,
      {},
      bearer(admin),
    );
    const ordersCursor = list.data?.orders.pageInfo.endCursor;
    expect(typeof ordersCursor).toBe('string');
    const [event] = await readAll(admin, 1);
    if (event === undefined) throw new Error('no events');
    for (const after of [
      'nonsense',
      '',
      ordersCursor,
      event.cursor.slice(0, -1),
      `${event.cursor}0`,
      event.cursor.toUpperCase(),
    ]) {
      const refused = await page(admin, { after });
      expect(refused.data ?? null).toBeNull();
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
      const live = await overWebSocket(admin, LIVE, { after });
      expect(live.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'after',
      });
    }
    for (const first of [0, -1, 501, 100_000]) {
      const refused = await page(admin, { first });
      expect(refused.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        field: 'first',
      });
    }
    const largest = await page(admin, { first: 500 });
    expect(largest.errors).toBeUndefined();
    // Well-formed, past every position there is: nothing after it, and no error.
    const beyond = await page(admin, { after: `ev1_${'f'.repeat(32)}` });
    expect(beyond.errors).toBeUndefined();
    expect(beyond.data?.orderEvents.edges).toEqual([]);
    const badId = await page(admin, { orderId: 'not-an-id' });
    expect(badId.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'orderId',
    });
  });

  it('answers the same page over WebSocket as over HTTP', async () => {
    // Both reads see the same log only when no earlier transaction can still add to it.
    await waitForLogHorizon();
    const overHttp = await page(alice, { first: 500 });
    const overWs = await overWebSocket(alice, PAGE, { first: 500 });
    expect(overWs.errors).toBeUndefined();
    expect(overWs.data).toEqual(overHttp.data);
    expect(overHttp.data?.orderEvents.edges.length).toBeGreaterThan(0);
  });

  it('replays every event after the cursor over WebSocket, then goes on live, once each, in order', async () => {
    const all = await readAll(admin, 500);
    const from = all[1];
    if (from === undefined) throw new Error('too few events');
    const sub = await subscribe(admin, { after: from.cursor });
    const replayed = all.slice(2).map(line);
    await sub.waitFor((events) => events.length >= replayed.length);
    const order = await create(bob);
    await cancel(admin, order.id, 'live');
    const expected = [...replayed, ...expectedFor(bob, order.id)];
    const events = await sub.waitFor((seen) => seen.length >= expected.length);
    expect(sub.errors).toEqual([]);
    expect(events.map((e) => line(e.orderEvents))).toEqual(expected);
    // Its cursors are the log's own: the query from the same cursor says the same.
    const again = await readAll(admin, 500, from.cursor);
    expect(events.map((e) => e.orderEvents.cursor)).toEqual(again.map((e) => e.cursor));
    await stop(sub);
  });

  it("replays and streams a customer's own events only; an order id narrows it; another's order is NOT_FOUND", async () => {
    const mine = await readAll(alice, 500);
    const first = mine[0];
    if (first === undefined) throw new Error('no events of alice');
    const all = await subscribe(alice, { after: first.cursor });
    const own = await create(alice);
    // Once its creation has gone out live, a subscription from now on starts after it.
    await all.waitFor((events) => events.some((e) => e.orderEvents.orderId === own.id));
    const one = await subscribe(alice, { id: own.id });
    const resumedOne = await subscribe(alice, { id: own.id, after: first.cursor });
    const foreignOrder = await create(bob);
    await cancel(bob, foreignOrder.id, 'not yours');
    await cancel(alice, own.id, 'mine');

    // From the test's own record of what it did, not from the query: alice's, after her first.
    const expectedAll = expectedFor(alice).slice(1);
    expect(expectedAll).toEqual([...mine.slice(1).map(line), ...expectedFor(alice, own.id)]);
    const seen = await all.waitFor((events) => events.length >= expectedAll.length);
    await one.waitFor((events) => events.length >= 1);
    await resumedOne.waitFor((events) => events.length >= 2);
    // Bob's events came and went meanwhile; none reached alice's subscriptions.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen.map((e) => line(e.orderEvents))).toEqual(expectedAll);
    // Subscribed after its creation: live from then on, the cancel only.
    expect(one.events.map((e) => line(e.orderEvents))).toEqual(expectedFor(alice, own.id).slice(1));
    expect(resumedOne.events.map((e) => line(e.orderEvents))).toEqual(expectedFor(alice, own.id));
    await stop(all, one, resumedOne);

    const foreign = await overWebSocket(alice, LIVE, { id: foreignOrder.id });
    const missing = await overWebSocket(alice, LIVE, {
      id: '0190f1f6-0000-7000-8000-000000000000',
    });
    expect(foreign.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(missing.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(foreign.errors?.[0]?.message.replace(foreignOrder.id, '<id>')).toBe(
      missing.errors?.[0]?.message.replace('0190f1f6-0000-7000-8000-000000000000', '<id>'),
    );
  });
});
