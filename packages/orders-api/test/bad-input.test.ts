import { MAX_INT32 } from '@oms/order-lifecycle';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CANCEL_ORDER,
  CREATE_ORDER,
  GET_ORDER,
  Stack,
  createOrder,
  eventually,
  getOrder,
  orderInput,
  type GraphQLErrorBody,
} from './support/stack.js';

const ORDER_IDS = 'query { orders(first: 100) { edges { node { id } } } }';
const UNKNOWN_ID = '01890000-0000-7000-8000-000000000000';
const ITEM = { sku: 'SKU-1', name: 'Widget', quantity: 1, unitPrice: 100 };
/** A stack frame as Node prints one: `at fn (file.ts:12:34)` or a bare `file.js:12:34`. */
const STACK_FRAME = /\bat \S+ \(|\.[cm]?[jt]s:\d+:\d+/;

interface Answer {
  status: number;
  text: string;
  errors: GraphQLErrorBody[];
  data: Record<string, unknown> | null | undefined;
}

describe('bad input is refused with a code, and writes nothing', () => {
  let stack: Stack;
  /** Every body the server sent back, checked for internals at the end. */
  const bodies: string[] = [];

  beforeAll(async () => {
    // Confirmed orders stay CONFIRMED: the delivery is an hour away.
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '3600' } });
  });
  afterAll(() => stack.close());

  /** POSTs a raw body to /graphql and keeps the answer's text. */
  async function post(body: string): Promise<Answer> {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await response.text();
    bodies.push(text);
    expect(text).not.toMatch(/stack/i);
    expect(text).not.toMatch(STACK_FRAME);
    const parsed = JSON.parse(text) as {
      data?: Record<string, unknown> | null;
      errors?: GraphQLErrorBody[];
    };
    return { status: response.status, text, errors: parsed.errors ?? [], data: parsed.data };
  }

  const gql = (query: string, variables: Record<string, unknown> = {}): Promise<Answer> =>
    post(JSON.stringify({ query, variables }));

  async function orderIds(): Promise<string[]> {
    const answer = await gql(ORDER_IDS);
    expect(answer.errors).toEqual([]);
    const orders = answer.data?.orders as { edges: { node: { id: string } }[] };
    return orders.edges.map((e) => e.node.id);
  }

  /**
   * Sends one operation that must be refused with `code` (and `field`, when given), by a server
   * that answered (no 5xx), without any order being written.
   */
  async function expectRefused(
    query: string,
    variables: Record<string, unknown>,
    code: string,
    field?: string,
  ): Promise<Answer> {
    const before = await orderIds();
    const answer = await gql(query, variables);
    expect(answer.status).toBeLessThan(500);
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors[0]?.extensions?.code).toBe(code);
    if (field !== undefined) expect(answer.errors[0]?.extensions?.field).toBe(field);
    expect(await orderIds()).toEqual(before);
    return answer;
  }

  const createWith = (overrides: Record<string, unknown>, code: string, field?: string) =>
    expectRefused(CREATE_ORDER, { input: orderInput(overrides) }, code, field);

  it('counts a valid order, so a refusal that wrote one would be seen', async () => {
    const before = await orderIds();
    const order = await createOrder(stack);
    expect(await orderIds()).toEqual([order.id, ...before]);
  });

  it('accepts the limits themselves', async () => {
    const before = await orderIds();
    const answers = await Promise.all(
      [
        { items: Array.from({ length: 100 }, () => ITEM) },
        { items: [{ ...ITEM, quantity: 10_000 }] },
        { items: [{ ...ITEM, unitPrice: 0 }] },
        { items: [{ ...ITEM, unitPrice: MAX_INT32 }] },
        { items: [{ ...ITEM, name: 'n'.repeat(200), sku: 's'.repeat(64) }] },
      ].map((overrides) => gql(CREATE_ORDER, { input: orderInput(overrides) })),
    );
    expect(answers.map((a) => a.errors)).toEqual([[], [], [], [], []]);
    expect(await orderIds()).toHaveLength(before.length + 5);
  });

  describe('createOrder', () => {
    it.each([
      ['no items', { items: [] }, 'input.items'],
      ['101 items', { items: Array.from({ length: 101 }, () => ITEM) }, 'input.items'],
      ['quantity 0', { items: [{ ...ITEM, quantity: 0 }] }, 'input.items[0].quantity'],
      ['quantity 10001', { items: [{ ...ITEM, quantity: 10_001 }] }, 'input.items[0].quantity'],
      ['unitPrice -1', { items: [ITEM, { ...ITEM, unitPrice: -1 }] }, 'input.items[1].unitPrice'],
      [
        'a total past 2^31-1 on one line',
        { items: [{ ...ITEM, quantity: 2, unitPrice: 2_000_000_000 }] },
        'input.items',
      ],
      [
        'a total past 2^31-1 over two lines',
        {
          items: [
            { ...ITEM, unitPrice: MAX_INT32 },
            { ...ITEM, unitPrice: 1 },
          ],
        },
        'input.items',
      ],
      ['currency eur', { currency: 'eur' }, 'input.currency'],
      ['currency EURO', { currency: 'EURO' }, 'input.currency'],
      [
        'a name of 201 characters',
        { items: [{ ...ITEM, name: 'n'.repeat(201) }] },
        'input.items[0].name',
      ],
      ['a blank sku', { items: [ITEM, { ...ITEM, sku: '   ' }] }, 'input.items[1].sku'],
      [
        'a sku of 65 characters',
        { items: [{ ...ITEM, sku: 's'.repeat(65) }] },
        'input.items[0].sku',
      ],
      ['an empty payment token', { paymentToken: '' }, 'input.paymentToken'],
      [
        'a payment token of 201 characters',
        { paymentToken: 't'.repeat(201) },
        'input.paymentToken',
      ],
      [
        'an idempotency key of 201 characters',
        { idempotencyKey: 'k'.repeat(201) },
        'input.idempotencyKey',
      ],
      ['an empty idempotency key', { idempotencyKey: '' }, 'input.idempotencyKey'],
      // PostgreSQL text cannot hold NUL: refused up front, not as a database error.
      ['a NUL in a sku', { items: [{ ...ITEM, sku: 'A\u0000B' }] }, 'input.items[0].sku'],
      ['a NUL in the payment token', { paymentToken: 't\u0000' }, 'input.paymentToken'],
      ['a NUL in the idempotency key', { idempotencyKey: 'k\u0000' }, 'input.idempotencyKey'],
    ])('refuses %s as BAD_USER_INPUT', async (_label, overrides, field) => {
      const answer = await createWith(overrides, 'BAD_USER_INPUT', field);
      expect(answer.errors[0]?.extensions?.fields?.map((f) => f.field)).toEqual([field]);
      expect(answer.data).toBeNull();
    });

    it('lists every bad field at once, the first as `field`', async () => {
      const answer = await createWith(
        {
          items: [ITEM, { sku: '', name: 'n'.repeat(201), quantity: 0, unitPrice: -1 }],
          currency: 'eur',
          paymentToken: '',
        },
        'BAD_USER_INPUT',
        'input.items[1].sku',
      );
      const fields = answer.errors[0]?.extensions?.fields ?? [];
      expect(fields.map((f) => f.field)).toEqual([
        'input.items[1].sku',
        'input.items[1].name',
        'input.items[1].quantity',
        'input.items[1].unitPrice',
        'input.currency',
        'input.paymentToken',
      ]);
      expect(fields.every((f) => f.message.length > 0)).toBe(true);
    });

    it.each([
      ['unitPrice 12.5', { unitPrice: 12.5 }, 'input.items[0].unitPrice'],
      [
        'unitPrice 2^31 (past GraphQL Int)',
        { unitPrice: MAX_INT32 + 1 },
        'input.items[0].unitPrice',
      ],
      ['quantity as a string', { quantity: '1' }, 'input.items[0].quantity'],
    ])(
      'refuses a variable with %s as a coercion error (HTTP 400)',
      async (_label, change, path) => {
        const answer = await createWith({ items: [{ ...ITEM, ...change }] }, 'BAD_USER_INPUT');
        expect(answer.status).toBe(400);
        expect(answer.errors[0]?.message).toContain(path);
        expect(answer.errors[0]?.extensions?.field).toBe(path);
      },
    );

    it('refuses a literal of the wrong type in the query text', async () => {
      const answer = await expectRefused(
        'mutation { createOrder(input: { items: [{ sku: "A", name: "B", quantity: 1.5, unitPrice: 1 }] }) { id } }',
        {},
        'GRAPHQL_VALIDATION_FAILED',
      );
      expect(answer.status).toBe(400);
    });
  });

  describe('ids and cancellation', () => {
    it.each(['not-an-id', '1234', `${UNKNOWN_ID}0`, UNKNOWN_ID.replaceAll('-', '')])(
      'refuses the malformed id %j',
      async (id) => {
        const read = await expectRefused(GET_ORDER, { id }, 'BAD_USER_INPUT', 'id');
        expect(read.data).toEqual({ order: null });
        await expectRefused(CANCEL_ORDER, { id }, 'BAD_USER_INPUT', 'id');
      },
    );

    it('answers an unknown id with null from `order` and NOT_FOUND from `cancelOrder`', async () => {
      const read = await gql(GET_ORDER, { id: UNKNOWN_ID });
      expect(read.errors).toEqual([]);
      expect(read.data).toEqual({ order: null });
      const cancel = await expectRefused(CANCEL_ORDER, { id: UNKNOWN_ID }, 'NOT_FOUND');
      expect(cancel.errors[0]?.extensions?.id).toBe(UNKNOWN_ID);
    });

    it('refuses a cancellation reason over 500 characters, blank or with NUL, and leaves the order as it was', async () => {
      const order = await createOrder(stack);
      const confirmed = await eventually(
        () => getOrder(stack, order.id),
        (o) => o?.status === 'CONFIRMED',
      );
      await expectRefused(
        CANCEL_ORDER,
        { id: order.id, reason: 'r'.repeat(501) },
        'BAD_USER_INPUT',
        'reason',
      );
      await expectRefused(
        CANCEL_ORDER,
        { id: order.id, reason: '   ' },
        'BAD_USER_INPUT',
        'reason',
      );
      await expectRefused(
        CANCEL_ORDER,
        { id: order.id, reason: 'x\u0000y' },
        'BAD_USER_INPUT',
        'reason',
      );
      expect(await getOrder(stack, order.id)).toEqual(confirmed);
      // The limit itself is accepted.
      const cancelled = await gql(CANCEL_ORDER, { id: order.id, reason: 'r'.repeat(500) });
      expect(cancelled.errors).toEqual([]);
      expect(cancelled.data?.cancelOrder).toMatchObject({
        status: 'CANCELLED',
        cancellationReason: 'r'.repeat(500),
      });
    });
  });

  describe('the HTTP request itself', () => {
    it('answers malformed JSON with 400 BAD_REQUEST', async () => {
      const before = await orderIds();
      for (const body of ['{"query": ', 'mutation { createOrder }', '"just a string"']) {
        const answer = await post(body);
        expect(answer.status).toBe(400);
        expect(answer.errors.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
      }
      expect(await orderIds()).toEqual(before);
    });

    it('answers a body over 128 KiB with 413 PAYLOAD_TOO_LARGE, and does not run it', async () => {
      const before = await orderIds();
      const body = (padding: number) =>
        JSON.stringify({
          query: CREATE_ORDER,
          variables: { input: orderInput(), padding: 'x'.repeat(padding) },
        });
      const answer = await post(body(130 * 1024));
      expect(answer.status).toBe(413);
      expect(answer.errors.map((e) => e.extensions?.code)).toEqual(['PAYLOAD_TOO_LARGE']);
      expect(await orderIds()).toEqual(before);
      // The same operation under the limit runs: it was the size that was refused.
      const small = await post(body(100 * 1024));
      expect(small.errors).toEqual([]);
      expect(await orderIds()).toHaveLength(before.length + 1);
    });

    it('refuses a batched request (a JSON array) and runs none of it', async () => {
      const before = await orderIds();
      const operation = { query: CREATE_ORDER, variables: { input: orderInput() } };
      const answer = await post(JSON.stringify([operation, operation]));
      expect(answer.status).toBe(400);
      expect(answer.errors.map((e) => e.extensions?.code)).toEqual(['BAD_REQUEST']);
      expect(await orderIds()).toEqual(before);
    });
  });

  describe('operation limits', () => {
    // graphql-armor does not count depth under `__schema` (ignoreIntrospection), but it does
    // count it under `__type`, and it counts each inline fragment as a level.
    it('refuses a query nested deeper than 8 with GRAPHQL_VALIDATION_FAILED', async () => {
      const introspection = await expectRefused(
        '{ __type(name: "Order") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }',
        {},
        'GRAPHQL_VALIDATION_FAILED',
      );
      expect(introspection.status).toBe(400);
      expect(introspection.errors[0]?.message).toMatch(/depth limit of 8 exceeded, found 10/);
      const fragments = await expectRefused(
        '{ orders { ... on OrderConnection { edges { ... on OrderEdge { node { ... on Order { history { ... on OrderTransition { from } } } } } } } } }',
        {},
        'GRAPHQL_VALIDATION_FAILED',
      );
      expect(fragments.errors[0]?.message).toMatch(/depth limit of 8 exceeded, found 9/);
    });

    it('accepts a query nested exactly 8 deep', async () => {
      const answer = await gql(
        '{ orders { ... on OrderConnection { edges { ... on OrderEdge { node { ... on Order { history { from } } } } } } } }',
      );
      expect(answer.errors).toEqual([]);
    });

    const aliased = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: order(id: "${UNKNOWN_ID}") { id }`).join(' ')} }`;

    it('refuses 16 aliases and accepts 15', async () => {
      const refused = await expectRefused(aliased(16), {}, 'GRAPHQL_VALIDATION_FAILED');
      expect(refused.errors[0]?.message).toMatch(/Aliases limit of 15 exceeded/);
      const accepted = await gql(aliased(15));
      expect(accepted.errors).toEqual([]);
      expect(Object.keys(accepted.data ?? {})).toHaveLength(15);
    });

    it('refuses an operation whose estimated cost is over 5000', async () => {
      const wide = Array.from(
        { length: 15 },
        (_, i) =>
          `a${i}: orders(first: 100) { edges { node { items { sku name } history { from to } } } }`,
      ).join(' ');
      const answer = await expectRefused(`{ ${wide} }`, {}, 'GRAPHQL_VALIDATION_FAILED');
      expect(answer.errors[0]?.message).toMatch(/Cost limit of 5000 exceeded/);
    });
  });

  describe('paging arguments', () => {
    const PAGE =
      'query Page($first: Int, $after: String) { orders(first: $first, after: $after) { edges { cursor } } }';

    it.each([0, -1, 101])('refuses first: %i naming `first`', async (first) => {
      await expectRefused(PAGE, { first }, 'BAD_USER_INPUT', 'first');
    });

    it('refuses an unknown status as a coercion error (HTTP 400)', async () => {
      const answer = await expectRefused(
        'query Page($status: OrderStatus) { orders(status: $status) { edges { cursor } } }',
        { status: 'SHIPPED' },
        'BAD_USER_INPUT',
      );
      expect(answer.status).toBe(400);
    });

    it('accepts first: 1 and first: 100', async () => {
      for (const first of [1, 100]) expect((await gql(PAGE, { first })).errors).toEqual([]);
    });

    it.each(['garbage', '', Buffer.from(`yesterday|${UNKNOWN_ID}`).toString('base64url')])(
      'refuses the cursor %j naming `after`',
      async (after) => {
        await expectRefused(PAGE, { after }, 'BAD_USER_INPUT', 'after');
      },
    );

    // These decode to a time and a UUID, but to a time PostgreSQL cannot take: today they reach
    // the database and come back as INTERNAL_SERVER_ERROR.
    it('refuses a cursor at a time no order can have, naming `after`', async () => {
      for (const time of [
        '0000-01-01T00:00:00.000Z',
        '-000001-01-01T00:00:00.000Z',
        '+275760-09-13T00:00:00.000Z',
      ]) {
        const after = Buffer.from(`${time}|${UNKNOWN_ID}`).toString('base64url');
        const answer = await gql(PAGE, { after });
        expect(answer.errors[0]?.extensions?.code, time).toBe('BAD_USER_INPUT');
        expect(answer.errors[0]?.extensions?.field, time).toBe('after');
      }
    });
  });

  it('is still healthy, and no answer carried a stack trace', async () => {
    const health = await fetch(new URL('/health', stack.graphqlUrl));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const leaking = bodies.filter((b) => /stack/i.test(b) || STACK_FRAME.test(b));
    expect(leaking).toEqual([]);
  });
});
