import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RawSocket,
  PER_CUSTOMER_ACCESS,
  bearer,
  signToken,
  unsignedToken,
} from './support/access.js';
import { scrape, valueOf } from './support/prometheus.js';
import {
  CANCEL_ORDER,
  CREATE_ORDER,
  GET_ORDER,
  ORDER_FIELDS,
  Stack,
  eventually,
  orderInput,
  type OrderResult,
  PAYMENTS_NEVER_ANSWER,
} from './support/stack.js';

const ALL_ORDERS = `subscription { orderUpdated { id customerId status } }`;
const ONE_ORDER = `subscription One($id: ID!) { orderUpdated(id: $id) { id status } }`;
const LIST = `query List { orders(first: 100) { edges { node { id customerId } } } }`;

interface Updated {
  orderUpdated: { id: string; customerId: string; status: string };
}
type Order = OrderResult & { customerId: string };

describe('per-customer access with HS256 tokens', () => {
  let stack: Stack;
  let alice: string;
  let bob: string;
  let admin: string;
  let adminByRole: string;

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        ...PER_CUSTOMER_ACCESS,
        // Nothing answers there and the first retry is a minute away: an order stays CREATED
        // until a test cancels it, so every event seen here is one a test caused.
        ...PAYMENTS_NEVER_ANSWER,
      },
    });
    alice = await signToken({ sub: 'customer-a' });
    bob = await signToken({ sub: 'customer-b' });
    admin = await signToken({ sub: 'support-1', roles: ['support', 'admin'] });
    adminByRole = await signToken({ sub: 'support-2', role: 'admin' });
  });
  afterAll(() => stack.close());

  async function create(token: string, overrides: Record<string, unknown> = {}): Promise<Order> {
    const result = await stack.gql<{ createOrder: Order }>(
      `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { ${ORDER_FIELDS} customerId } }`,
      { input: orderInput(overrides) },
      bearer(token),
    );
    if (!result.data?.createOrder) throw new Error(`create failed: ${JSON.stringify(result)}`);
    return result.data.createOrder;
  }

  async function read(token: string, id: string) {
    return stack.gql<{ order: OrderResult | null }>(GET_ORDER, { id }, bearer(token));
  }

  async function listed(token: string): Promise<string[]> {
    const result = await stack.gql<{ orders: { edges: { node: { id: string } }[] } }>(
      LIST,
      {},
      bearer(token),
    );
    expect(result.errors).toBeUndefined();
    return result.data?.orders.edges.map((e) => e.node.id) ?? [];
  }

  const cancel = (token: string, id: string) =>
    stack.gql<{ cancelOrder: OrderResult }>(CANCEL_ORDER, { id, reason: 'test' }, bearer(token));

  /**
   * Subscribes once per token and resolves once the server holds every subscription (the open
   * subscriptions gauge, from none to as many), so an event caused afterwards reaches them.
   */
  async function subscribeLive<T>(
    tokens: string[],
    query: string,
    variables: Record<string, unknown> = {},
  ) {
    const base = stack.graphqlUrl.replace(/\/graphql$/, '');
    const open = async () => valueOf(await scrape(base), 'graphql_active_subscriptions');
    await eventually(open, (n) => n === 0);
    const subs = tokens.map((token) =>
      stack.subscribe<T>(query, variables, { authorization: `Bearer ${token}` }),
    );
    await eventually(open, (n) => n === tokens.length);
    return subs;
  }

  async function subscribeToOrder(token: string, id: string) {
    const [sub] = await subscribeLive<unknown>([token], ONE_ORDER, { id });
    if (sub === undefined) throw new Error('no subscription');
    return sub;
  }

  /** The NOT_FOUND answer's message with its id taken out, to compare shapes. */
  const shapeOf = (message: string | undefined, id: string) => message?.replace(id, '<id>');

  it("stores the token's subject as the order's customer; the customer reads, lists and cancels it", async () => {
    const order = await create(alice);
    expect(order.customerId).toBe('customer-a');
    expect((await read(alice, order.id)).data?.order?.id).toBe(order.id);
    expect(await listed(alice)).toContain(order.id);
    const cancelled = await cancel(alice, order.id);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data?.cancelOrder.status).toBe('CANCELLED');
  });

  it("reads another customer's order as null, exactly like a missing one", async () => {
    const order = await create(alice);
    const asBob = await read(bob, order.id);
    const missing = await read(bob, randomUUID());
    expect(asBob).toEqual({ status: 200, data: { order: null } });
    expect(asBob).toEqual(missing);
  });

  it("leaves another customer's orders out of the list", async () => {
    const mine = await create(bob);
    const theirs = await create(alice);
    const bobs = await listed(bob);
    expect(bobs).toContain(mine.id);
    expect(bobs).not.toContain(theirs.id);
    const result = await stack.gql<{ orders: { edges: { node: { customerId: string } }[] } }>(
      LIST,
      {},
      bearer(bob),
    );
    expect(new Set(result.data?.orders.edges.map((e) => e.node.customerId))).toEqual(
      new Set(['customer-b']),
    );
  });

  it("refuses to cancel another customer's order as NOT_FOUND, and leaves it alone", async () => {
    const order = await create(alice);
    const asBob = await cancel(bob, order.id);
    const missingId = randomUUID();
    const missing = await cancel(bob, missingId);
    expect(asBob.data).toBeNull();
    expect(asBob.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', id: order.id });
    expect(missing.errors?.[0]?.extensions).toEqual({ code: 'NOT_FOUND', id: missingId });
    expect(shapeOf(asBob.errors?.[0]?.message, order.id)).toBe(
      shapeOf(missing.errors?.[0]?.message, missingId),
    );
    expect((await read(alice, order.id)).data?.order?.status).toBe('CREATED');
  });

  it("refuses a subscription to another customer's order as NOT_FOUND", async () => {
    const order = await create(alice);
    const missingId = randomUUID();
    const errorsOf = async (id: string) => {
      const sub = stack.subscribe<unknown>(ONE_ORDER, { id }, { authorization: `Bearer ${bob}` });
      await sub.waitFor(() => sub.errors.length > 0 || sub.completed, 10_000);
      sub.stop();
      return sub.errors.flat() as { message: string; extensions?: Record<string, unknown> }[];
    };
    const asBob = await errorsOf(order.id);
    const missing = await errorsOf(missingId);
    expect(asBob.map((e) => e.extensions)).toEqual([{ code: 'NOT_FOUND', id: order.id }]);
    expect(missing.map((e) => e.extensions)).toEqual([{ code: 'NOT_FOUND', id: missingId }]);
    expect(shapeOf(asBob[0]?.message, order.id)).toBe(shapeOf(missing[0]?.message, missingId));

    // The owner may subscribe to it.
    const own = await subscribeToOrder(alice, order.id);
    await cancel(alice, order.id);
    await own.waitFor((events) => events.length > 0);
    expect(own.errors).toEqual([]);
    own.stop();
  });

  it("shows a customer only their own orders' events on the all-orders subscription; an admin all", async () => {
    const ofOrder = (events: Updated[], id: string) =>
      events.filter((e) => e.orderUpdated.id === id).map((e) => e.orderUpdated.status);
    const [aliceSub, bobSub, adminSub] = await subscribeLive<Updated>(
      [alice, bob, admin],
      ALL_ORDERS,
    );
    if (aliceSub === undefined || bobSub === undefined || adminSub === undefined) {
      throw new Error('missing subscription');
    }

    const ofAlice = await create(alice);
    await cancel(alice, ofAlice.id);
    const ofBob = await create(bob);
    // Published in commit order: once Bob sees his cancel, Alice's events have gone past him.
    await cancel(bob, ofBob.id);
    await bobSub.waitFor((events) => ofOrder(events, ofBob.id).includes('CANCELLED'));
    await aliceSub.waitFor((events) => ofOrder(events, ofAlice.id).includes('CANCELLED'));
    await adminSub.waitFor((events) => ofOrder(events, ofBob.id).includes('CANCELLED'));

    expect(ofOrder(bobSub.events, ofBob.id)).toEqual(['CREATED', 'CANCELLED']);
    expect(new Set(bobSub.events.map((e) => e.orderUpdated.customerId))).toEqual(
      new Set(['customer-b']),
    );
    expect(ofOrder(aliceSub.events, ofAlice.id)).toEqual(['CREATED', 'CANCELLED']);
    expect(new Set(aliceSub.events.map((e) => e.orderUpdated.customerId))).toEqual(
      new Set(['customer-a']),
    );
    expect(ofOrder(adminSub.events, ofAlice.id)).toEqual(['CREATED', 'CANCELLED']);
    expect(ofOrder(adminSub.events, ofBob.id)).toEqual(['CREATED', 'CANCELLED']);
    for (const sub of [aliceSub, bobSub, adminSub]) {
      expect(sub.errors).toEqual([]);
      sub.stop();
    }
  });

  it('lets an admin (roles or role claim) read, list and cancel every customer’s orders', async () => {
    const ofAlice = await create(alice);
    const ofBob = await create(bob);
    for (const token of [admin, adminByRole]) {
      expect((await read(token, ofAlice.id)).data?.order?.id).toBe(ofAlice.id);
      const all = await listed(token);
      expect(all).toContain(ofAlice.id);
      expect(all).toContain(ofBob.id);
    }
    const cancelled = await cancel(adminByRole, ofBob.id);
    expect(cancelled.errors).toBeUndefined();
    expect(cancelled.data?.cancelOrder.status).toBe('CANCELLED');
    const watched = await subscribeToOrder(admin, ofAlice.id);
    await cancel(admin, ofAlice.id);
    await watched.waitFor((events) => events.length > 0);
    watched.stop();
    // An admin's own orders are theirs, not everyone's.
    expect((await create(admin)).customerId).toBe('support-1');
  });

  it("keeps idempotency keys per customer: another's key makes a separate order and reveals nothing", async () => {
    const key = `shared-${randomUUID()}`;
    const first = await create(alice, { idempotencyKey: key });
    // Same key, other payload: for Alice this is IDEMPOTENCY_KEY_REUSED naming her order; for Bob
    // it is simply his first use of the key.
    const response = await stack.gql<{ createOrder: Order }>(
      `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { id customerId } }`,
      { input: orderInput({ idempotencyKey: key, currency: 'JPY' }) },
      bearer(bob),
    );
    expect(response.errors).toBeUndefined();
    expect(response.data?.createOrder.customerId).toBe('customer-b');
    expect(response.data?.createOrder.id).not.toBe(first.id);
    expect(JSON.stringify(response)).not.toContain(first.id);
    // Same key, same payload: still Bob's own order, and a repeat returns it.
    const again = await create(bob, { idempotencyKey: key, currency: 'JPY' });
    expect(again.id).toBe(response.data?.createOrder.id);
    expect((await create(alice, { idempotencyKey: key })).id).toBe(first.id);
    const reused = await stack.gql(
      CREATE_ORDER,
      { input: orderInput({ idempotencyKey: key, currency: 'USD' }) },
      bearer(alice),
    );
    expect(reused.errors?.[0]?.extensions).toMatchObject({
      code: 'IDEMPOTENCY_KEY_REUSED',
      orderId: first.id,
    });
  });

  describe('refuses a request without a valid token: HTTP 401 and a WebSocket closed 4403', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: [string, () => Promise<string | undefined>, string][] = [
      ['no Authorization', () => Promise.resolve(undefined), 'missing bearer token'],
      [
        'another scheme',
        () => Promise.resolve('Basic dXNlcjpwYXNz'),
        "authorization is not of the form 'Bearer <token>'",
      ],
      ['a token that is no JWT', () => Promise.resolve('Bearer not-a-jwt'), 'token malformed'],
      [
        'a wrong signature',
        async () => `Bearer ${await signToken({ sub: 'customer-a' }, { key: 'x'.repeat(32) })}`,
        'signature invalid',
      ],
      [
        'an expired token',
        async () => `Bearer ${await signToken({ sub: 'customer-a' }, { expiresIn: -60 })}`,
        'token expired',
      ],
      [
        'alg none',
        () => Promise.resolve(`Bearer ${unsignedToken({ sub: 'customer-a' })}`),
        'token algorithm not allowed (accepted: HS256)',
      ],
      [
        'another issuer',
        async () =>
          `Bearer ${await signToken({ sub: 'customer-a' }, { issuer: 'https://evil.test' })}`,
        'token issuer not accepted',
      ],
      [
        'another audience',
        async () => `Bearer ${await signToken({ sub: 'customer-a' }, { audience: 'other-api' })}`,
        'token audience not accepted',
      ],
      [
        'no subject',
        async () => `Bearer ${await signToken({ roles: ['admin'] })}`,
        'token has no sub claim',
      ],
      [
        'no expiry',
        async () => `Bearer ${await signToken({ sub: 'customer-a' }, { expiresIn: null })}`,
        'token has no exp claim',
      ],
      [
        'not valid yet',
        async () => `Bearer ${await signToken({ sub: 'customer-a', nbf: now() + 600 })}`,
        'token not valid yet',
      ],
      [
        'a subject with unsafe characters',
        async () => `Bearer ${await signToken({ sub: 'customer a<script>' })}`,
        'token subject (sub) must be 1 to 128 characters of A-Z a-z 0-9 . _ : @ | + -',
      ],
      [
        'roles that are not strings',
        async () => `Bearer ${await signToken({ sub: 'customer-a', roles: 'admin' })}`,
        'token claim roles must be an array of strings, or role a string',
      ],
    ];

    it.each(cases)('over HTTP: %s', async (_label, authorization, message) => {
      const value = await authorization();
      const response = await fetch(stack.graphqlUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(value === undefined ? {} : { authorization: value }),
        },
        body: JSON.stringify({ query: CREATE_ORDER, variables: { input: orderInput() } }),
      });
      const text = await response.text();
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="orders-api"/);
      expect(JSON.parse(text)).toEqual({
        errors: [{ message, extensions: { code: 'UNAUTHENTICATED' } }],
      });
      const token = value?.split(' ')[1];
      if (token !== undefined) expect(text).not.toContain(token);
    });

    it.each(cases)('over WebSocket: %s', async (_label, authorization, message) => {
      const value = await authorization();
      const socket = new RawSocket(stack.graphqlUrl, {
        connectionParams: value === undefined ? {} : { authorization: value },
      });
      expect(await socket.acked).toBe(false);
      const closed = await socket.closed;
      expect(closed.code).toBe(4403);
      expect(closed.reason).toBe(`Forbidden: ${message}`);
    });

    it('and a GET query too', async () => {
      const response = await fetch(
        `${stack.graphqlUrl}?query=${encodeURIComponent('{ orders { edges { cursor } } }')}`,
      );
      expect(response.status).toBe(401);
    });

    it('writes nothing for a refused mutation', async () => {
      const before = await listed(admin);
      await stack.gql(CREATE_ORDER, { input: orderInput() }, { authorization: 'Bearer x.y.z' });
      expect(await listed(admin)).toEqual(before);
    });
  });

  it("takes a WebSocket's token from the upgrade request's Authorization header too", async () => {
    const good = new RawSocket(stack.graphqlUrl, { headers: bearer(alice) });
    expect(await good.acked).toBe(true);
    good.close();
    const bad = new RawSocket(stack.graphqlUrl, { headers: { authorization: 'Bearer x.y.z' } });
    expect(await bad.acked).toBe(false);
    expect((await bad.closed).code).toBe(4403);
  });

  it('closes a live WebSocket 4403 when its token expires', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 2;
    const token = await signToken({ sub: 'customer-a' }, { expiresIn: 2 });
    const socket = new RawSocket(stack.graphqlUrl, {
      connectionParams: { authorization: `Bearer ${token}` },
    });
    expect(await socket.acked).toBe(true);
    socket.subscribe('1', ALL_ORDERS);
    const closed = await socket.closed;
    expect(closed).toMatchObject({ code: 4403, reason: 'Forbidden: token expired' });
    // Not before the token (with the clock tolerance, 5 s) stopped being accepted.
    expect(closed.at).toBeGreaterThanOrEqual(expiresAt * 1000 + 5_000 - 50);
    expect(closed.at).toBeLessThan(expiresAt * 1000 + 5_000 + 3_000);
  }, 20_000);

  it('keeps the probes, the metrics and the IDE redirect open without a token', async () => {
    const base = stack.graphqlUrl.replace(/\/graphql$/, '');
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/ready`)).status).toBe(200);
    expect((await fetch(`${base}/metrics`)).status).toBe(200);
    const ide = await fetch(stack.graphqlUrl, {
      headers: { accept: 'text/html' },
      redirect: 'manual',
    });
    expect(ide.status).toBe(302);
  });
});
