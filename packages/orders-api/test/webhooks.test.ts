import { ORDER_STATUSES } from '@oms/order-lifecycle';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeEventCursor } from '../src/domain/event-cursor.js';
import { PER_CUSTOMER_ACCESS, bearer, signToken } from './support/access.js';
import { scrape, sumOf, valueOf } from './support/prometheus.js';
import {
  GET_ORDER,
  ORDER_FIELDS,
  Stack,
  createOrder,
  eventually,
  type OrderResult,
} from './support/stack.js';
import { WebhookReceiver, type ReceivedWebhook } from './support/webhook-receiver.js';
import {
  DELETE_ENDPOINT,
  LIST_ENDPOINTS,
  REDELIVER,
  ROTATE_SECRET,
  UPDATE_ENDPOINT,
  createEndpoint,
  deliveriesOf,
  refusal,
  type Endpoint,
} from './support/webhooks.js';

/** Before every event: redelivering "after" it queues everything. */
const BEFORE_EVERYTHING = encodeEventCursor({ xid: '0', position: '0' });
const FINAL = new Set(['DELIVERED', 'CANCELLED']);

/** The statuses each order went through, by order, from what the receiver got delivered. */
function deliveredVersions(received: readonly ReceivedWebhook[], orderId: string): number[] {
  return received
    .filter((r) => r.status >= 200 && r.status < 300 && r.event.data.orderId === orderId)
    .map((r) => r.event.data.version);
}

/** Whether every transition of `order` (as of its final state) has reached the receiver. */
function allDelivered(receiver: WebhookReceiver, order: OrderResult): boolean {
  const versions = new Set(deliveredVersions(receiver.received, order.id));
  return order.history.every((_, i) => versions.has(i + 1));
}

async function finalOrder(stack: Stack, id: string): Promise<OrderResult> {
  return eventually(
    async () => {
      const result = await stack.gql<{ order: OrderResult }>(GET_ORDER, { id });
      if (!result.data?.order) throw new Error(JSON.stringify(result.errors));
      return result.data.order;
    },
    (order) => FINAL.has(order.status),
    20_000,
  );
}

describe('webhook endpoints: the contract, admins only', () => {
  let stack: Stack;
  let admin: Record<string, string>;
  let customer: Record<string, string>;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        ...PER_CUSTOMER_ACCESS,
      },
    });
    receiver = await WebhookReceiver.start();
    admin = bearer(await signToken({ sub: 'support-1', roles: ['admin'] }));
    customer = bearer(await signToken({ sub: 'customer-a' }));
  });
  afterAll(async () => {
    await stack.close();
    await receiver.close();
  });

  const gql = <T>(query: string, variables: Record<string, unknown> = {}, headers = admin) =>
    stack.gql<T>(query, variables, headers);

  it('creates, lists, updates, rotates and deletes endpoints; the secret is shown only when made', async () => {
    const { secret, endpoint } = await createEndpoint(
      gql,
      { url: receiver.url, events: ['CANCELLED', 'CREATED', 'CREATED'], description: ' ERP ' },
      admin,
    );
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(endpoint).toMatchObject({
      url: receiver.url,
      description: 'ERP',
      events: ['CREATED', 'CANCELLED'],
      enabled: true,
      status: 'HEALTHY',
      lastDeliveryAt: null,
    });
    const all = await createEndpoint(gql, { url: `${receiver.url}/all` }, admin);
    expect(all.endpoint.events).toEqual([...ORDER_STATUSES]);
    expect(all.secret).not.toBe(secret);

    const listed = await gql<{ webhookEndpoints: Endpoint[] }>(LIST_ENDPOINTS);
    expect(listed.data?.webhookEndpoints.map((e) => e.id)).toEqual([endpoint.id, all.endpoint.id]);
    expect(JSON.stringify(listed)).not.toContain(secret);
    // The type has no secret to ask for.
    const asked = await gql(`query { webhookEndpoints { id secret } }`);
    expect(refusal(asked).code).toBe('GRAPHQL_VALIDATION_FAILED');

    const updated = await gql<{ updateWebhookEndpoint: Endpoint }>(UPDATE_ENDPOINT, {
      id: endpoint.id,
      input: { enabled: false, events: ['DELIVERED'], description: null },
    });
    expect(updated.errors).toBeUndefined();
    expect(updated.data?.updateWebhookEndpoint).toMatchObject({
      url: receiver.url,
      description: null,
      events: ['DELIVERED'],
      enabled: false,
      status: 'DISABLED',
    });

    const rotated = await gql<{ rotateWebhookSecret: { secret: string; endpoint: Endpoint } }>(
      ROTATE_SECRET,
      { id: endpoint.id },
    );
    expect(rotated.data?.rotateWebhookSecret.secret).toMatch(/^whsec_/);
    expect(rotated.data?.rotateWebhookSecret.secret).not.toBe(secret);
    expect(rotated.data?.rotateWebhookSecret.endpoint.id).toBe(endpoint.id);

    const deleted = await gql<{ deleteWebhookEndpoint: boolean }>(DELETE_ENDPOINT, {
      id: endpoint.id,
    });
    expect(deleted.data?.deleteWebhookEndpoint).toBe(true);
    const again = await gql(DELETE_ENDPOINT, { id: endpoint.id });
    expect(refusal(again)).toEqual({ code: 'NOT_FOUND', field: undefined });
    const left = await gql<{ webhookEndpoints: Endpoint[] }>(LIST_ENDPOINTS);
    expect(left.data?.webhookEndpoints.map((e) => e.id)).toEqual([all.endpoint.id]);
    await gql(DELETE_ENDPOINT, { id: all.endpoint.id });
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ url: 'not a url' }, 'input.url'],
      [{ url: 'ftp://example.com/hooks' }, 'input.url'],
      [{ url: 'https://user:pass@example.com/hooks' }, 'input.url'],
      [{ url: `https://example.com/${'x'.repeat(2_100)}` }, 'input.url'],
      [{ url: receiver.url, events: [] }, 'input.events'],
      [{ url: receiver.url, description: 'd'.repeat(501) }, 'input.description'],
    ];
    for (const [input, field] of cases) {
      const result = await gql(
        `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
        { input },
      );
      expect(refusal(result), JSON.stringify(input).slice(0, 80)).toEqual({
        code: 'BAD_USER_INPUT',
        field,
      });
    }
    const { endpoint } = await createEndpoint(gql, { url: receiver.url }, admin);
    const badUpdate = await gql(UPDATE_ENDPOINT, {
      id: endpoint.id,
      input: { url: 'gopher://example.com', description: 'changed' },
    });
    expect(refusal(badUpdate)).toEqual({ code: 'BAD_USER_INPUT', field: 'input.url' });
    const unknown = await gql(UPDATE_ENDPOINT, {
      id: '0190d0a4-0000-7000-8000-000000000000',
      input: { enabled: false },
    });
    expect(refusal(unknown).code).toBe('NOT_FOUND');
    const malformed = await gql(ROTATE_SECRET, { id: 'nope' });
    expect(refusal(malformed)).toEqual({ code: 'BAD_USER_INPUT', field: 'id' });
    for (const after of ['nope', 'ev1_zz', 'eyJjcmVhdGVkQXQiOjF9']) {
      const redeliver = await gql(REDELIVER, { endpointId: endpoint.id, after });
      expect(refusal(redeliver), after).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    }
    const badPage = await gql(
      `query($after: String) { webhookEndpoints { deliveries(after: $after) { edges { cursor } } } }`,
      { after: 'nope' },
    );
    expect(refusal(badPage)).toEqual({ code: 'BAD_USER_INPUT', field: 'after' });
    const listed = await gql<{ webhookEndpoints: Endpoint[] }>(LIST_ENDPOINTS);
    expect(listed.data?.webhookEndpoints).toEqual([endpoint]);
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });

  it('refuses every webhook operation to a customer (FORBIDDEN) and lets nothing through', async () => {
    const { endpoint } = await createEndpoint(gql, { url: receiver.url }, admin);
    const operations: [string, Record<string, unknown>][] = [
      [LIST_ENDPOINTS, {}],
      [
        `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { secret } }`,
        { input: { url: receiver.url } },
      ],
      [UPDATE_ENDPOINT, { id: endpoint.id, input: { enabled: false } }],
      [DELETE_ENDPOINT, { id: endpoint.id }],
      [ROTATE_SECRET, { id: endpoint.id }],
      [REDELIVER, { endpointId: endpoint.id, after: BEFORE_EVERYTHING }],
    ];
    for (const [query, variables] of operations) {
      const result = await gql(query, variables, customer);
      expect(refusal(result).code, query.slice(0, 40)).toBe('FORBIDDEN');
      expect(JSON.stringify(result)).not.toContain('whsec_');
    }
    const listed = await gql<{ webhookEndpoints: Endpoint[] }>(LIST_ENDPOINTS);
    expect(listed.data?.webhookEndpoints).toEqual([endpoint]);
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });
});

describe('webhook delivery', () => {
  let stack: Stack;
  const receivers: WebhookReceiver[] = [];
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) =>
    stack.gql<T>(query, variables);

  async function receiver(): Promise<WebhookReceiver> {
    const started = await WebhookReceiver.start();
    receivers.push(started);
    return started;
  }

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        WEBHOOKS_RETRY_BASE_SECONDS: '0.05',
        WEBHOOKS_TIMEOUT_SECONDS: '2',
        DELIVERY_DELAY_SECONDS: '0',
      },
    });
  });
  afterAll(async () => {
    await stack.close();
    await Promise.all(receivers.map((r) => r.close()));
  });

  it('signs every request so that the standardwebhooks verifier accepts it, with the order as GraphQL returns it', async () => {
    const hooks = await receiver();
    const { secret, endpoint } = await createEndpoint(gql, { url: hooks.url });
    const created = await createOrder(stack);
    const order = await finalOrder(stack, created.id);
    await eventually(
      () => Promise.resolve(hooks.received.length),
      () => allDelivered(hooks, order),
    );
    const verifier = new Webhook(secret);
    const mine = hooks.delivered.filter((r) => r.event.data.orderId === order.id);
    expect(mine.map((r) => r.event.data.version)).toEqual(order.history.map((_, i) => i + 1));
    for (const request of mine) {
      expect(() =>
        verifier.verify(request.body, {
          'webhook-id': request.id,
          'webhook-timestamp': request.timestamp,
          'webhook-signature': request.signature,
        }),
      ).not.toThrow();
      // Another body, or another secret, does not verify.
      expect(() =>
        verifier.verify(request.body.replace('"version"', '"versioN"'), {
          'webhook-id': request.id,
          'webhook-timestamp': request.timestamp,
          'webhook-signature': request.signature,
        }),
      ).toThrow();
      expect(request.signature).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
      expect(request.headers['content-type']).toBe('application/json');
    }
    expect(new Set(mine.map((r) => r.id)).size).toBe(mine.length);

    // Each event: its transition, the order as of it; the last one is the order as it is now.
    mine.forEach((request, i) => {
      const step = order.history[i];
      expect(request.event).toMatchObject({
        type: `order.${String(step?.to).toLowerCase()}`,
        timestamp: step?.at,
        data: {
          orderId: order.id,
          version: i + 1,
          from: step?.from,
          to: step?.to,
          at: step?.at,
          reason: step?.reason,
        },
      });
      expect(request.event.data.order.history).toEqual(order.history.slice(0, i + 1));
      expect(request.event.data.order.status).toBe(step?.to);
      expect(request.event.data.cursor).toMatch(/^ev1_[0-9a-f]{32}$/);
    });
    const cursors = mine.map((r) => r.event.data.cursor);
    expect([...cursors].sort()).toEqual(cursors);
    const last = mine.at(-1)?.event.data.order;
    const asGraphQL = await stack.gql<{ order: Record<string, unknown> }>(
      `query($id: ID!) { order(id: $id) { ${ORDER_FIELDS} customerId } }`,
      { id: order.id },
    );
    expect(last).toEqual(asGraphQL.data?.order);

    // The deliveries list says the same, newest event first, with the cursors the bodies had.
    // (The receiver has answered; the sender records each answer right after.)
    const listed = await eventually(
      () => deliveriesOf(gql, endpoint.id),
      (page) =>
        page.deliveries.edges
          .filter((e) => e.node.orderId === order.id)
          .every((e) => e.node.status === 'DELIVERED'),
    );
    const ofOrder = listed.deliveries.edges.filter((e) => e.node.orderId === order.id);
    expect(ofOrder.map((e) => e.node.eventCursor)).toEqual([...cursors].reverse());
    expect(ofOrder.map((e) => e.cursor)).toEqual([...cursors].reverse());
    for (const { node } of ofOrder) {
      expect(node).toMatchObject({ status: 'DELIVERED', attempts: 1, lastStatusCode: 200 });
      expect(node.deliveredAt).not.toBeNull();
      expect(node.nextAttemptAt).toBeNull();
      expect(mine.map((r) => r.id)).toContain(node.id);
    }
    expect(listed.status).toBe('HEALTHY');
    expect(listed.lastDeliveryAt).not.toBeNull();

    // A page of one, then the next one from its cursor.
    const first = await deliveriesOf(gql, endpoint.id, { first: 1 });
    expect(first.deliveries.edges).toHaveLength(1);
    expect(first.deliveries.pageInfo.hasNextPage).toBe(listed.deliveries.edges.length > 1);
    const second = await deliveriesOf(gql, endpoint.id, {
      first: 1,
      after: first.deliveries.pageInfo.endCursor,
    });
    expect(second.deliveries.edges.map((e) => e.node.id)).toEqual([
      listed.deliveries.edges[1]?.node.id,
    ]);
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });

  it('signs with the old and the new secret after a rotation, each accepted alone', async () => {
    const hooks = await receiver();
    const { secret: old, endpoint } = await createEndpoint(gql, {
      url: hooks.url,
      events: ['CREATED'],
    });
    const rotated = await gql<{ rotateWebhookSecret: { secret: string } }>(ROTATE_SECRET, {
      id: endpoint.id,
    });
    const fresh = rotated.data?.rotateWebhookSecret.secret ?? '';
    const order = await createOrder(stack);
    const [request] = await eventually(
      () => Promise.resolve(hooks.delivered.filter((r) => r.event.data.orderId === order.id)),
      (found) => found.length === 1,
    );
    if (request === undefined) throw new Error('no request');
    const headers = {
      'webhook-id': request.id,
      'webhook-timestamp': request.timestamp,
      'webhook-signature': request.signature,
    };
    expect(request.signature.split(' ')).toHaveLength(2);
    expect(() => new Webhook(fresh).verify(request.body, headers)).not.toThrow();
    expect(() => new Webhook(old).verify(request.body, headers)).not.toThrow();
    const stranger = 'whsec_' + Buffer.alloc(32, 7).toString('base64');
    expect(() => new Webhook(stranger).verify(request.body, headers)).toThrow();
    // Only CREATED was asked for.
    const final = await finalOrder(stack, order.id);
    expect(final.history.length).toBeGreaterThan(1);
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });

  it('delivers everything once a receiver that was down is back, each order in version order', async () => {
    const hooks = await receiver();
    hooks.answer = () => 503;
    const { endpoint } = await createEndpoint(gql, { url: hooks.url });
    const created = await Promise.all(Array.from({ length: 5 }, () => createOrder(stack)));
    const orders = await Promise.all(created.map((o) => finalOrder(stack, o.id)));
    // Down: every first event is tried again and again, none of the later ones at all.
    await eventually(
      () => deliveriesOf(gql, endpoint.id),
      (listed) =>
        listed.status === 'FAILING' &&
        orders.every((o) =>
          listed.deliveries.edges.some((e) => e.node.orderId === o.id && e.node.attempts >= 3),
        ),
    );
    // (An earlier test's order whose last event reached the log only after this endpoint was
    // made may be sent here too: the endpoint gets what the dispatcher finds after its creation.)
    const ours = new Set(orders.map((o) => o.id));
    const triedWhileDown = hooks.received.filter((r) => ours.has(r.event.data.orderId));
    for (const order of orders) {
      expect(
        triedWhileDown.some((r) => r.event.data.orderId === order.id),
        order.id,
      ).toBe(true);
    }
    expect(triedWhileDown.filter((r) => r.event.data.version !== 1)).toEqual([]);
    const failing = await deliveriesOf(gql, endpoint.id, { status: 'PENDING' });
    const tried = failing.deliveries.edges.find((e) => e.node.attempts >= 3)?.node;
    expect(tried).toMatchObject({ status: 'PENDING', lastStatusCode: 503 });
    expect(tried?.lastError).toContain('HTTP 503');

    hooks.answer = () => 200;
    await eventually(
      () => Promise.resolve(hooks.received.length),
      () => orders.every((o) => allDelivered(hooks, o)),
      30_000,
    );
    for (const order of orders) {
      const requests = hooks.received.filter((r) => r.event.data.orderId === order.id);
      // Version n+1 is first tried only after version n was answered 2xx.
      for (let v = 2; v <= order.history.length; v++) {
        const previousDelivered = requests.find(
          (r) => r.event.data.version === v - 1 && r.status === 200,
        );
        const firstTry = requests.find((r) => r.event.data.version === v);
        expect(firstTry?.receivedAt, `${order.id} v${String(v)}`).toBeGreaterThanOrEqual(
          previousDelivered?.receivedAt ?? Infinity,
        );
      }
      expect(deliveredVersions(hooks.received, order.id)).toEqual(
        order.history.map((_, i) => i + 1),
      );
    }
    // The receiver has answered the last request; the sender records the answer right after.
    const back = await eventually(
      () => deliveriesOf(gql, endpoint.id),
      (listed) => listed.deliveries.edges.every((e) => e.node.status === 'DELIVERED'),
    );
    expect(back.status).toBe('HEALTHY');
    expect(back.deliveries.edges.every((e) => e.node.status === 'DELIVERED')).toBe(true);
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });

  it('does not hold other orders up while one order keeps failing', async () => {
    const hooks = await receiver();
    const { endpoint } = await createEndpoint(gql, { url: hooks.url });
    const stuck = await createOrder(stack);
    hooks.answer = (request) => (request.event.data.orderId === stuck.id ? 500 : 200);
    const others = await Promise.all(Array.from({ length: 3 }, () => createOrder(stack)));
    const finals = await Promise.all(others.map((o) => finalOrder(stack, o.id)));
    await eventually(
      () => Promise.resolve(hooks.received.length),
      () => finals.every((o) => allDelivered(hooks, o)),
    );
    const stuckFinal = await finalOrder(stack, stuck.id);
    expect(stuckFinal.history.length).toBeGreaterThan(1);
    const tried = hooks.received.filter((r) => r.event.data.orderId === stuck.id);
    expect(tried.length).toBeGreaterThanOrEqual(1);
    expect(tried.every((r) => r.event.data.version === 1 && r.status === 500)).toBe(true);

    hooks.answer = () => 200;
    await eventually(
      () => Promise.resolve(hooks.received.length),
      () => allDelivered(hooks, stuckFinal),
    );
    expect(deliveredVersions(hooks.received, stuck.id)).toEqual(
      stuckFinal.history.map((_, i) => i + 1),
    );
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });

  it('disables an endpoint that answers 410 Gone and sends it nothing more', async () => {
    const hooks = await receiver();
    hooks.answer = () => 410;
    const { endpoint } = await createEndpoint(gql, { url: hooks.url, events: ['CREATED'] });
    const order = await createOrder(stack);
    const listed = await eventually(
      () => deliveriesOf(gql, endpoint.id),
      (e) => e.status === 'DISABLED',
    );
    expect(listed.enabled).toBe(false);
    expect(listed.deliveries.edges.map((e) => e.node)).toEqual([
      expect.objectContaining({ orderId: order.id, status: 'FAILED', lastStatusCode: 410 }),
    ]);
    const later = await createOrder(stack);
    await finalOrder(stack, later.id);
    // A request would come right away; give it the time to.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(hooks.received).toHaveLength(1);
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });

  it('redelivers from a chosen event, with the same webhook-id', async () => {
    const hooks = await receiver();
    const { endpoint } = await createEndpoint(gql, { url: hooks.url });
    const order = await finalOrder(stack, (await createOrder(stack)).id);
    await eventually(
      () => Promise.resolve(hooks.received.length),
      () => allDelivered(hooks, order),
    );
    const listed = await deliveriesOf(gql, endpoint.id);
    const oldestFirst = [...listed.deliveries.edges].reverse().map((e) => e.node);
    const from = oldestFirst[0];
    if (from === undefined) throw new Error('no delivery');
    const before = hooks.received.length;
    const redelivered = await gql<{ redeliverWebhookEvents: number }>(REDELIVER, {
      endpointId: endpoint.id,
      after: from.eventCursor,
    });
    expect(redelivered.errors).toBeUndefined();
    const again = oldestFirst.slice(1);
    expect(redelivered.data?.redeliverWebhookEvents).toBe(again.length);
    await eventually(
      () => Promise.resolve(hooks.received.slice(before)),
      (requests) => requests.length >= again.length,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The same ids again, each once (in version order per order, not across orders).
    expect(
      hooks.received
        .slice(before)
        .map((r) => r.id)
        .sort(),
    ).toEqual(again.map((d) => d.id).sort());
    const after = await eventually(
      () => deliveriesOf(gql, endpoint.id),
      (page) => page.deliveries.edges.every((e) => e.node.status === 'DELIVERED'),
    );
    expect(after.deliveries.edges.every((e) => e.node.status === 'DELIVERED')).toBe(true);
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });

  it('counts attempts, latency and backlog per endpoint in /metrics', async () => {
    const hooks = await receiver();
    hooks.answer = () => 500;
    const { endpoint } = await createEndpoint(gql, { url: hooks.url, events: ['CREATED'] });
    await createOrder(stack);
    await eventually(
      () => Promise.resolve(hooks.received.length),
      (n) => n >= 2,
    );
    const baseUrl = stack.graphqlUrl.replace(/\/graphql$/, '');
    const samples = await scrape(baseUrl);
    expect(valueOf(samples, 'orders_webhook_attempts_total', { outcome: 'retry' })).toBeGreaterThan(
      0,
    );
    expect(
      valueOf(samples, 'orders_webhook_attempts_total', { outcome: 'delivered' }),
    ).toBeGreaterThan(0);
    expect(sumOf(samples, 'orders_webhook_delivery_latency_seconds_count')).toBeGreaterThan(0);
    expect(
      valueOf(samples, 'orders_webhook_backlog_age_seconds', { endpoint: endpoint.id }),
    ).toBeGreaterThan(0);
    await gql(DELETE_ENDPOINT, { id: endpoint.id });
  });
});

describe('webhook retries that run out', () => {
  let stack: Stack;
  let hooks: WebhookReceiver;
  const gql = <T>(query: string, variables: Record<string, unknown> = {}) =>
    stack.gql<T>(query, variables);

  beforeAll(async () => {
    stack = await Stack.start({
      orders: {
        WEBHOOKS_RETRY_BASE_SECONDS: '0.05',
        // 1.8 seconds.
        WEBHOOKS_RETRY_MAX_AGE_HOURS: '0.0005',
      },
    });
    hooks = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await stack.close();
    await hooks.close();
  });

  it('marks a delivery FAILED after the max age, keeps it listed, and redelivers it', async () => {
    hooks.answer = () => 500;
    const { endpoint } = await createEndpoint(gql, { url: hooks.url, events: ['CREATED'] });
    const order = await createOrder(stack);
    const failed = await eventually(
      () => deliveriesOf(gql, endpoint.id, { status: 'FAILED' }),
      (e) => e.deliveries.edges.length === 1,
    );
    const delivery = failed.deliveries.edges[0]?.node;
    expect(delivery).toMatchObject({
      orderId: order.id,
      status: 'FAILED',
      lastStatusCode: 500,
      nextAttemptAt: null,
      deliveredAt: null,
    });
    expect(delivery?.attempts).toBeGreaterThanOrEqual(2);
    expect(delivery?.lastError).toContain('HTTP 500');
    expect(hooks.received.length).toBe(delivery?.attempts);
    expect((await deliveriesOf(gql, endpoint.id, { status: 'PENDING' })).deliveries.edges).toEqual(
      [],
    );

    hooks.answer = () => 200;
    const queued = await gql<{ redeliverWebhookEvents: number }>(REDELIVER, {
      endpointId: endpoint.id,
      after: BEFORE_EVERYTHING,
    });
    expect(queued.data?.redeliverWebhookEvents).toBe(1);
    await eventually(
      () => deliveriesOf(gql, endpoint.id),
      (e) => e.deliveries.edges[0]?.node.status === 'DELIVERED',
    );
    expect(hooks.delivered.map((r) => r.id)).toEqual([delivery?.id]);
  });
});
