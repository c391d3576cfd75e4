import fc from 'fast-check';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  CANCEL_ORDER,
  CREATE_ORDER,
  Stack,
  createOrder,
  type GraphQLErrorBody,
} from './support/stack.js';

/**
 * Property-based hostile input (fast-check): whatever a client sends, the answer is data or a
 * precise refusal (a 4xx, or a GraphQL error with one of the codes below, naming the field for
 * BAD_USER_INPUT), never a 5xx or INTERNAL_SERVER_ERROR; nothing is half-written and the
 * process stays up. The runs are seeded: a failure prints its seed and path; FC_SEED and
 * FC_RUNS override them. The hand-written cases are in bad-input.test.ts.
 */
const SEED = Number(process.env.FC_SEED ?? 5_0_5);
const RUNS = Number(process.env.FC_RUNS ?? 100);
const PRECISE = new Set([
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'NOT_FOUND',
  'ORDER_NOT_CANCELLABLE',
  'IDEMPOTENCY_KEY_REUSED',
  'PAYLOAD_TOO_LARGE',
  // Apollo's, for an operationName the document does not have.
  'OPERATION_RESOLUTION_FAILURE',
]);
/** A stack frame as Node prints one. */
const STACK_FRAME = /\bat \S+ \(|\.[cm]?[jt]s:\d+:\d+/;

interface Answer {
  status: number;
  text: string;
  data?: Record<string, unknown> | null;
  errors: GraphQLErrorBody[];
}

// ---- arbitraries ---------------------------------------------------------------------------

/** Characters that have broken servers: NUL, lone surrogates, direction marks, quotes, escapes. */
const trickyChar = fc.constantFrom(
  '\u0000',
  '\ud800',
  '\udfff',
  '\u202e',
  '\ufeff',
  '"',
  '\\',
  '%',
  '\n',
  ' ',
  'a',
  '😀',
);
/** Strings of every kind: any code point (lone surrogates included), blanks, NUL, long ones. */
const anyString = fc.oneof(
  { weight: 2, arbitrary: fc.string({ unit: trickyChar, minLength: 1, maxLength: 8 }) },
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '\u0000', '\t\n', 'A'.repeat(65), 'n'.repeat(201), '12.50', 'NaN'),
  fc.constantFrom(
    'tok_approve',
    'tok_decline',
    'EUR',
    'eur',
    'EURO',
    '€',
    "'; drop table orders;--",
  ),
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, -1, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 1e308, 10_001),
);
/** Any JSON value, and the edge cases of each type. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  { weight: 3, arbitrary: anyString },
  { weight: 2, arbitrary: anyNumber },
  fc.constantFrom(null, true, false, [], {}),
);
/** Sometimes right, sometimes anything: inputs close enough to valid to reach the rules. */
const mostly = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 3, arbitrary: valid }, anyValue);
const item = fc.record(
  {
    sku: mostly(fc.constantFrom('SKU-1', 'MUG-1')),
    name: mostly(fc.constantFrom('Mug', 'Widget')),
    quantity: mostly(fc.integer({ min: -2, max: 10_002 })),
    unitPrice: mostly(fc.integer({ min: -2, max: 2 ** 31 })),
  },
  { requiredKeys: [] },
);
const orderDraft = fc.oneof(
  anyValue,
  fc.record(
    {
      items: mostly(fc.array(item, { maxLength: 4 })),
      currency: mostly(fc.constantFrom('EUR', 'USD')),
      paymentToken: mostly(fc.constantFrom('tok_approve', 'tok_decline')),
      idempotencyKey: fc.oneof(fc.constant(undefined), anyString),
      surprise: fc.oneof(fc.constant(undefined), anyValue),
    },
    { requiredKeys: ['items'] },
  ),
);

/** A JavaScript value written as a GraphQL literal (object keys as they come: maybe not names). */
function literal(value: unknown, bareStrings: boolean): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string')
    return bareStrings && /^\w+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map((v) => literal(v, bareStrings)).join(', ')}]`;
  return `{${Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: ${literal(v, bareStrings)}`)
    .join(', ')}}`;
}

describe('hostile input, generated (fast-check)', () => {
  let stack: Stack;
  const clients: Client[] = [];
  /** Orders that exist, to aim cancels at. */
  const known: string[] = [];

  beforeAll(async () => {
    console.info(`hostile-input: fast-check seed ${SEED}, ${RUNS} runs per property`);
    fc.configureGlobal({ seed: SEED, numRuns: RUNS });
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '3600' } });
    for (const token of ['tok_approve', 'tok_decline', 'tok_approve']) {
      known.push((await createOrder(stack, { paymentToken: token })).id);
    }
  });
  afterAll(async () => {
    await Promise.all(
      clients.map(async (c) => {
        await c.dispose();
      }),
    );
    await stack.close();
  });

  /** POSTs a raw body and checks the answer is not a server failure and leaks nothing. */
  async function post(body: string, contentType = 'application/json'): Promise<Answer> {
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });
    const text = await response.text();
    let parsed: { data?: Record<string, unknown> | null; errors?: GraphQLErrorBody[] } = {};
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch {
      // Not JSON: judged by its status below.
    }
    return { status: response.status, text, data: parsed.data, errors: parsed.errors ?? [] };
  }

  const gql = (query: string, variables?: unknown) =>
    post(JSON.stringify(variables === undefined ? { query } : { query, variables }));

  /** The rule every answer keeps. */
  function expectPrecise(
    answer: Answer | { errors: GraphQLErrorBody[]; text: string; status?: number },
  ): void {
    const context = answer.text.slice(0, 500);
    if (answer.status !== undefined) expect(answer.status, context).toBeLessThan(500);
    expect(answer.text, context).not.toMatch(STACK_FRAME);
    for (const error of answer.errors) {
      const code = error.extensions?.code;
      expect(PRECISE.has(String(code)), `code ${String(code)}: ${context}`).toBe(true);
      expect(error.message.length, context).toBeGreaterThan(0);
      if (code === 'BAD_USER_INPUT') {
        expect(typeof error.extensions?.field, `no field: ${context}`).toBe('string');
      }
    }
  }

  /** Every order, each whole (with items and a history): what the database holds, by the API. */
  async function orders(): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    let after: string | null = null;
    for (;;) {
      const page = await gql(
        'query P($after: String) { orders(first: 100, after: $after) { edges { node { id status items { sku } history { to } } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      const connection = page.data?.orders as {
        edges: { node: { id: string; status: string; items: unknown[]; history: unknown[] } }[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
      for (const { node } of connection.edges) {
        expect(node.items.length, `order ${node.id} has no items`).toBeGreaterThan(0);
        expect(node.history.length, `order ${node.id} has no history`).toBeGreaterThan(0);
        found.set(node.id, `${node.status}/${node.history.length}`);
      }
      if (!connection.pageInfo.hasNextPage) return found;
      after = connection.pageInfo.endCursor;
    }
  }

  /** The newest orders' ids, newest first: a new order would come first. */
  async function newest(): Promise<string[]> {
    const page = await gql('{ orders(first: 50) { edges { node { id } } } }');
    const connection = page.data?.orders as { edges: { node: { id: string } }[] };
    return connection.edges.map((e) => e.node.id);
  }

  /** An order's status and number of transitions, or null. */
  async function stateOf(id: string): Promise<string | null> {
    const answer = await gql('query O($id: ID!) { order(id: $id) { status history { to } } }', {
      id,
    });
    const order = answer.data?.order as { status: string; history: unknown[] } | null | undefined;
    return order ? `${order.status}/${order.history.length}` : null;
  }

  /** Runs `send`; a refusal must leave the orders as they were, a success add at most one. */
  async function writesWholeOrNothing(send: () => Promise<Answer>): Promise<Answer> {
    const before = await newest();
    const answer = await send();
    expectPrecise(answer);
    const after = await newest();
    const created = answer.data?.createOrder as { id?: string } | null | undefined;
    const context = answer.text.slice(0, 300);
    if (answer.errors.length > 0 || created?.id === undefined || before.includes(created.id)) {
      // Refused, or the same idempotency key and payload again: nothing new.
      expect(after, context).toEqual(before);
    } else {
      expect(after, context).toEqual([created.id, ...before].slice(0, after.length));
      expect(await stateOf(created.id), context).toBe('CREATED/1');
    }
    return answer;
  }

  it('createOrder with any input as variables', async () => {
    await fc.assert(
      fc.asyncProperty(orderDraft, async (input) => {
        await writesWholeOrNothing(() => gql(CREATE_ORDER, { input }));
      }),
    );
  });

  it('createOrder with any input written literally in the query', async () => {
    await fc.assert(
      fc.asyncProperty(orderDraft, fc.boolean(), async (input, bare) => {
        await writesWholeOrNothing(() =>
          gql(`mutation { createOrder(input: ${literal(input, bare)}) { id status } }`),
        );
      }),
    );
  });

  it('createOrder with any text where the input goes, and any text as the query', async () => {
    await fc.assert(
      fc.asyncProperty(anyString, fc.boolean(), async (text, whole) => {
        await writesWholeOrNothing(() =>
          gql(whole ? text : `mutation { createOrder(input: ${text}) { id } }`),
        );
      }),
    );
  });

  it('cancelOrder with any id and reason leaves a refused order as it was', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyValue, fc.uuid(), fc.constantFrom(...known)),
        fc.oneof(fc.constant(undefined), anyValue, fc.string({ unit: 'binary', maxLength: 600 })),
        async (id, reason) => {
          const target = typeof id === 'string' && known.includes(id) ? id : null;
          const before = { newest: await newest(), target: target && (await stateOf(target)) };
          const answer = await gql(CANCEL_ORDER, reason === undefined ? { id } : { id, reason });
          expectPrecise(answer);
          // Nothing created, and a refused cancel leaves its order as it was.
          expect(await newest()).toEqual(before.newest);
          if (target !== null && answer.errors.length > 0) {
            expect(await stateOf(target), answer.text).toBe(before.target);
          }
        },
      ),
    );
  });

  it('orders(first, after, status) with any arguments', async () => {
    const cursor = fc.oneof(
      anyValue,
      anyString.map((s) => Buffer.from(s).toString('base64url')),
      fc
        .tuple(anyString, fc.uuid())
        .map(([t, id]) => Buffer.from(`${t}|${id}`).toString('base64url')),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyValue, fc.integer({ min: -5, max: 105 })),
        cursor,
        fc.oneof(anyValue, fc.constantFrom('CREATED', 'CONFIRMED', 'SHIPPED')),
        async (first, after, status) => {
          const answer = await gql(
            'query P($first: Int, $after: String, $status: OrderStatus) { orders(first: $first, after: $after, status: $status) { edges { cursor node { id } } } }',
            { first, after, status },
          );
          expectPrecise(answer);
          if (answer.errors.length === 0) expect(answer.status).toBe(200);
        },
      ),
    );
  });

  it('orderEvents(first, after, orderId) with any arguments, well-formed cursors included', async () => {
    const cursor = fc.oneof(
      anyValue,
      fc.stringMatching(/^ev1_[0-9a-f]{32}$/),
      fc.stringMatching(/^ev1_[0-9a-fA-F]{30,34}$/),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(anyValue, fc.integer({ min: -5, max: 505 })),
        cursor,
        fc.oneof(anyValue, fc.uuid()),
        async (first, after, orderId) => {
          const answer = await gql(
            'query E($first: Int, $after: String, $orderId: ID) { orderEvents(first: $first, after: $after, orderId: $orderId) { edges { cursor node { to order { id } } } } }',
            { first, after, orderId },
          );
          expectPrecise(answer);
          if (answer.errors.length === 0) expect(answer.status).toBe(200);
        },
      ),
    );
  });

  it('any JSON as the whole request body, and any content type', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyValue.map((v) => JSON.stringify(v)),
          fc
            .record(
              {
                query: mostly(fc.constant('{ __typename }')),
                variables: anyValue,
                operationName: anyValue,
                extensions: anyValue,
              },
              { requiredKeys: [] },
            )
            .map((v) => JSON.stringify(v)),
          anyString,
        ),
        fc.constantFrom(
          'application/json',
          'application/graphql',
          'text/plain',
          'application/x-www-form-urlencoded',
          'application/json; charset=latin1',
        ),
        async (body, contentType) => {
          expectPrecise(await post(body, contentType));
        },
      ),
    );
  });

  it('createOrder over WebSocket with any input, on one connection that stays open', async () => {
    let closed = false;
    const client = createClient({
      url: stack.graphqlUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      onNonLazyError: () => undefined,
      on: {
        closed: () => {
          closed = true;
        },
      },
    });
    clients.push(client);
    await fc.assert(
      fc.asyncProperty(orderDraft, async (input) => {
        const errors = await new Promise<GraphQLErrorBody[]>((resolve) => {
          const found: GraphQLErrorBody[] = [];
          client.subscribe(
            { query: CREATE_ORDER, variables: { input } },
            {
              next: (value) => found.push(...((value.errors ?? []) as GraphQLErrorBody[])),
              error: (error) => {
                found.push(
                  ...(Array.isArray(error)
                    ? (error as GraphQLErrorBody[])
                    : [{ message: String(error) }]),
                );
                resolve(found);
              },
              complete: () => {
                resolve(found);
              },
            },
          );
        });
        expectPrecise({ errors, text: JSON.stringify(errors) });
        expect(closed).toBe(false);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('any message on a WebSocket: answered, or closed with a protocol code, never 1011', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          anyValue.map((v) => JSON.stringify(v)),
          fc
            .record(
              {
                id: anyValue,
                type: fc.constantFrom('subscribe', 'complete', 'ping', 'connection_init', 'next'),
                payload: anyValue,
              },
              { requiredKeys: ['type'] },
            )
            .map((v) => JSON.stringify(v)),
          anyString,
        ),
        async (message) => {
          const code = await new Promise<number>((resolve) => {
            const socket = new WebSocket(
              stack.graphqlUrl.replace(/^http/, 'ws'),
              'graphql-transport-ws',
            );
            let done: NodeJS.Timeout | undefined;
            socket.on('open', () => {
              socket.send(JSON.stringify({ type: 'connection_init' }));
              socket.once('message', () => {
                socket.send(message);
                // Still open a moment later: the server took it in its stride; we close.
                done = setTimeout(() => {
                  socket.close(1000);
                }, 300);
              });
            });
            socket.on('close', (closeCode: number) => {
              clearTimeout(done);
              resolve(closeCode);
            });
            socket.on('error', () => undefined);
          });
          // 1000: still open after the message, closed by us; 4400: refused as malformed;
          // 4409: a second subscribe with a taken id; 4429: a second connection_init.
          expect([1000, 1005, 4400, 4409, 4429], message.slice(0, 200)).toContain(code);
        },
      ),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it('is still healthy, and every order is whole', async () => {
    const health = await fetch(new URL('/health', stack.graphqlUrl));
    expect(health.status).toBe(200);
    const all = await orders();
    for (const id of known) expect(all.has(id)).toBe(true);
    expect((await gql('{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});
