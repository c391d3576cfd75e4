import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { LIMITS } from '../src/graphql/limits.js';
import { MAX_PAGE_SIZE } from '../src/domain/orders.service.js';
import {
  CREATE_ORDER,
  Stack,
  createOrder,
  orderInput,
  type GraphQLErrorBody,
} from './support/stack.js';

/**
 * Every limit of `LIMITS` (and the page size) is enforced over HTTP and over WebSocket alike;
 * the HTTP body size and batching have their own cases in bad-input.test.ts. The graphql-ws
 * close codes: 4408 connection initialisation timeout, 1009 message too big.
 */
const UNKNOWN_ID = '01890000-0000-7000-8000-000000000000';
const CONNECTION_INIT_TIMEOUT = 4408;
const MESSAGE_TOO_BIG = 1009;
const PROTOCOL = 'graphql-transport-ws';

interface Result {
  data?: Record<string, unknown> | null;
  errors: GraphQLErrorBody[];
}

const nested = (levels: number): string => {
  // orders > edges > node > history > from is 5 deep; each inline fragment adds one.
  let inner = 'from';
  for (let i = 0; i < levels - 5; i++) inner = `... on OrderTransition { ${inner} }`;
  return `{ orders { edges { node { history { ${inner} } } } } }`;
};
const aliased = (n: number): string =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: order(id: "${UNKNOWN_ID}") { id }`).join(' ')} }`;
const costly = (n: number): string =>
  `{ ${Array.from(
    { length: n },
    (_, i) =>
      `c${i}: orders(first: 100) { edges { node { items { sku name } history { from to } } } }`,
  ).join(' ')} }`;
const tokens = (n: number): string =>
  // Each `__typename` after the first is one token, plus the braces.
  `{ ${Array.from({ length: n - 2 }, () => '__typename').join(' ')} }`;

/** One operation limit: what is refused just past it and accepted at it. */
const OPERATION_LIMITS: {
  name: string;
  refused: { query: string; variables?: Record<string, unknown> };
  accepted: { query: string; variables?: Record<string, unknown> };
  code: string;
  message?: RegExp;
  field?: string;
  /** The accepted case may be refused, but not with a message matching this. */
  onlyNotFor?: RegExp;
}[] = [
  {
    name: `depth ${LIMITS.maxDepth}`,
    refused: { query: nested(LIMITS.maxDepth + 1) },
    accepted: { query: nested(LIMITS.maxDepth) },
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /depth limit/i,
  },
  {
    name: `${LIMITS.maxAliases} aliases`,
    refused: { query: aliased(LIMITS.maxAliases + 1) },
    accepted: { query: aliased(LIMITS.maxAliases) },
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /aliases limit/i,
  },
  {
    name: `cost ${LIMITS.maxCost}`,
    refused: { query: costly(15) },
    accepted: { query: costly(1) },
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /cost limit/i,
  },
  {
    name: `${LIMITS.maxTokens} tokens`,
    refused: { query: tokens(LIMITS.maxTokens + 1) },
    accepted: { query: tokens(LIMITS.maxTokens) },
    code: 'GRAPHQL_PARSE_FAILED',
    message: new RegExp(`more that ${LIMITS.maxTokens} tokens`),
    // A document of 5,000 tokens that is also valid does not exist under the cost limit: at
    // the limit, parsing passes and the cost is what refuses it.
    onlyNotFor: /tokens/i,
  },
  {
    name: `page size ${MAX_PAGE_SIZE}`,
    refused: {
      query: 'query P($first: Int) { orders(first: $first) { edges { cursor } } }',
      variables: { first: MAX_PAGE_SIZE + 1 },
    },
    accepted: {
      query: 'query P($first: Int) { orders(first: $first) { edges { cursor } } }',
      variables: { first: MAX_PAGE_SIZE },
    },
    code: 'BAD_USER_INPUT',
    field: 'first',
  },
];

describe('limits on what a client may send, over HTTP and WebSocket', () => {
  let stack: Stack;
  const clients: Client[] = [];
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    stack = await Stack.start({ orders: { DELIVERY_DELAY_SECONDS: '3600' } });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    await Promise.all(
      clients.map(async (c) => {
        await c.dispose();
      }),
    );
    await stack.close();
  });

  const wsUrl = () => stack.graphqlUrl.replace(/^http/, 'ws');

  async function overHttp(query: string, variables: Record<string, unknown> = {}): Promise<Result> {
    const answer = await stack.gql(query, variables);
    expect(answer.status).toBeLessThan(500);
    return { data: answer.data, errors: answer.errors ?? [] };
  }

  function client(): Client {
    const made = createClient({ url: wsUrl(), webSocketImpl: WebSocket, retryAttempts: 0 });
    clients.push(made);
    return made;
  }

  /** Runs one operation over graphql-ws and returns its result or its errors. */
  async function overWebSocket(
    query: string,
    variables: Record<string, unknown> = {},
    on: Client = client(),
  ): Promise<Result> {
    return new Promise((resolve) => {
      const result: Result = { errors: [] };
      on.subscribe(
        { query, variables },
        {
          next: (value) => {
            result.data = value.data;
            result.errors.push(...((value.errors ?? []) as GraphQLErrorBody[]));
          },
          error: (error) => {
            result.errors.push(...(Array.isArray(error) ? (error as GraphQLErrorBody[]) : []));
            if (!Array.isArray(error)) result.errors.push({ message: String(error) });
            resolve(result);
          },
          complete: () => {
            resolve(result);
          },
        },
      );
    });
  }

  describe.each([
    ['HTTP', overHttp],
    ['WebSocket', (q: string, v?: Record<string, unknown>) => overWebSocket(q, v)],
  ] as const)('over %s', (_transport, run) => {
    it.each(OPERATION_LIMITS)('enforces $name', async (limit) => {
      const refused = await run(limit.refused.query, limit.refused.variables);
      expect(refused.errors.map((e) => e.extensions?.code)).toEqual([limit.code]);
      if (limit.message) expect(refused.errors[0]?.message).toMatch(limit.message);
      if (limit.field) expect(refused.errors[0]?.extensions?.field).toBe(limit.field);
      const accepted = await run(limit.accepted.query, limit.accepted.variables);
      if (limit.onlyNotFor === undefined) {
        expect(accepted.errors).toEqual([]);
      } else {
        // Refused (if at all) for something else: this limit lets it through.
        expect(accepted.errors.map((e) => e.message).join(' ')).not.toMatch(limit.onlyNotFor);
      }
    });

    it('runs one operation of a document with several, the one named, and refuses to guess', async () => {
      const orderIds = async () => {
        const page = await overHttp('{ orders(first: 100) { edges { node { id } } } }');
        return (page.data?.orders as { edges: unknown[] }).edges.length;
      };
      const before = await orderIds();
      const operations = Array.from(
        { length: 5 },
        (_, i) => `mutation M${i}($input: CreateOrderInput!) { createOrder(input: $input) { id } }`,
      ).join('\n');
      const unnamed = await run(operations, { input: orderInput() });
      expect(unnamed.errors).toHaveLength(1);
      expect(unnamed.errors[0]?.message).toMatch(/operation/i);
      expect(await orderIds()).toBe(before);
    });
  });

  it('runs only the operation named by operationName over HTTP', async () => {
    const count = async () =>
      (
        (await overHttp('{ orders(first: 100) { edges { node { id } } } }')).data?.orders as {
          edges: unknown[];
        }
      ).edges.length;
    const before = await count();
    const operations = Array.from(
      { length: 5 },
      (_, i) => `mutation M${i}($input: CreateOrderInput!) { createOrder(input: $input) { id } }`,
    ).join('\n');
    const response = await fetch(stack.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query: operations,
        operationName: 'M3',
        variables: { input: orderInput() },
      }),
    });
    expect(response.status).toBe(200);
    expect(await count()).toBe(before + 1);
  });

  it(`closes a socket that sends no connection_init within ${LIMITS.wsConnectionInitTimeoutMs} ms with 4408`, async () => {
    const opened = Date.now();
    const socket = new WebSocket(wsUrl(), PROTOCOL);
    sockets.push(socket);
    const close = await closeOf(socket, LIMITS.wsConnectionInitTimeoutMs + 5_000);
    expect(close.code).toBe(CONNECTION_INIT_TIMEOUT);
    expect(Date.now() - opened).toBeGreaterThanOrEqual(LIMITS.wsConnectionInitTimeoutMs - 100);
  });

  it(`closes a socket that sends a message over ${LIMITS.wsMaxPayloadBytes} bytes with 1009, and takes one just under`, async () => {
    const socket = await acknowledged();
    const subscribe = (padding: number) =>
      JSON.stringify({
        id: `s${padding}`,
        type: 'subscribe',
        payload: {
          query: CREATE_ORDER,
          variables: { input: orderInput(), padding: 'x'.repeat(padding) },
        },
      });
    const under = subscribe(0);
    const room = LIMITS.wsMaxPayloadBytes - Buffer.byteLength(under) - 1_000;
    const answered = nextMessage(socket);
    socket.send(subscribe(room));
    expect(JSON.parse(await answered)).toMatchObject({ id: `s${room}`, type: 'next' });
    const closing = closeOf(socket, 5_000);
    socket.send(subscribe(LIMITS.wsMaxPayloadBytes));
    expect((await closing).code).toBe(MESSAGE_TOO_BIG);
  });

  it(`refuses subscription ${LIMITS.wsMaxSubscriptions + 1} on one connection and keeps the others`, async () => {
    const shared = client();
    const received = new Map<number, string[]>();
    const unsubscribers = Array.from({ length: LIMITS.wsMaxSubscriptions }, (_, n) =>
      shared.subscribe<{ orderUpdated: { id: string } }>(
        { query: 'subscription { orderUpdated { id } }' },
        {
          next: (value) => {
            const id = value.data?.orderUpdated.id;
            if (id !== undefined) received.set(n, [...(received.get(n) ?? []), id]);
          },
          error: () => undefined,
          complete: () => undefined,
        },
      ),
    );
    // Once one order's event has reached all of them, all of them are live (the first orders
    // may be created before every subscribe message has been handled).
    const seenByAll = (id: string) =>
      [...received.values()].filter((ids) => ids.includes(id)).length === LIMITS.wsMaxSubscriptions;
    for (let attempt = 1; ; attempt++) {
      const probe = await createOrder(stack);
      const live = await waitFor(() => seenByAll(probe.id), 1_500).then(
        () => true,
        () => false,
      );
      if (live) break;
      if (attempt === 10) throw new Error(`${received.size} subscriptions live after 10 orders`);
    }

    const extra = await overWebSocket('subscription { orderUpdated { id } }', {}, shared);
    expect(extra.errors.map((e) => e.extensions?.code)).toEqual(['TOO_MANY_SUBSCRIPTIONS']);

    // The others are still there, and a freed place can be taken again.
    const second = await createOrder(stack);
    await waitFor(
      () =>
        [...received.values()].filter((ids) => ids.includes(second.id)).length ===
        LIMITS.wsMaxSubscriptions,
    );
    unsubscribers[0]?.();
    const again: string[] = [];
    const refusals: unknown[] = [];
    shared.subscribe<{ orderUpdated: { id: string } }>(
      { query: 'subscription { orderUpdated { id } }' },
      {
        next: (value) => {
          again.push(value.data?.orderUpdated.id ?? '');
        },
        error: (error) => {
          refusals.push(error);
        },
        complete: () => undefined,
      },
    );
    for (let attempt = 1; ; attempt++) {
      const probe = await createOrder(stack);
      const seen = await waitFor(() => again.includes(probe.id) || refusals.length > 0, 1_500).then(
        () => true,
        () => false,
      );
      if (seen) break;
      if (attempt === 10) throw new Error('the freed place was not taken');
    }
    expect(refusals).toEqual([]);
  });

  /** A raw socket past connection_ack. */
  async function acknowledged(): Promise<WebSocket> {
    const socket = new WebSocket(wsUrl(), PROTOCOL);
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => {
        resolve();
      });
      socket.once('error', reject);
    });
    const ack = nextMessage(socket);
    socket.send(JSON.stringify({ type: 'connection_init' }));
    expect(JSON.parse(await ack)).toEqual({ type: 'connection_ack' });
    return socket;
  }
});

function nextMessage(socket: WebSocket): Promise<string> {
  return new Promise((resolve) => {
    socket.once('message', (data: Buffer) => {
      resolve(data.toString('utf8'));
    });
  });
}

function closeOf(socket: WebSocket, timeoutMs: number): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`socket still open after ${timeoutMs} ms`));
    }, timeoutMs);
    socket.once('close', (code: number, reason: Buffer) => {
      clearTimeout(timer);
      resolve({ code, reason: reason.toString('utf8') });
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
