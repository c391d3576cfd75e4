import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { disposeLeftovers } from '@oms/testing';
import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { OrdersProcess } from './support/orders-process.js';
import { waitForLogHorizon } from './support/orders-database.js';
import { scrape, valueOf } from './support/prometheus.js';
import {
  CANCEL_ORDER,
  CREATE_ORDER,
  eventually,
  orderInput,
  ordersEnv,
  postGraphQL,
  type GraphQLResponse,
  type OrderResult,
} from './support/stack.js';

const LIVE = `subscription Live($after: String) { orderEvents(after: $after) { cursor orderId version to } }`;
// `first` as a variable: written literally it multiplies the operation's estimated cost.
const PAGE = `query Page($after: String, $first: Int) { orderEvents(after: $after, first: $first) {
  edges { node { cursor orderId version to } } pageInfo { hasNextPage endCursor } } }`;

interface Event {
  cursor: string;
  orderId: string;
  version: number;
  to: string;
}

interface LogPage {
  orderEvents: {
    edges: { node: Event }[];
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
  };
}

const databaseKind = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded PGlite on disk';

describe(`an orderEvents subscriber across a SIGKILL of orders-api (${databaseKind})`, () => {
  let ordersDb: TestDatabase | undefined;
  const clients: Client[] = [];
  const env = () =>
    ordersEnv(ordersDb as TestDatabase, 'http://127.0.0.1:1', {
      // Nothing answers there and the first retry is a minute away: orders move only when the
      // test moves them.
      PAYMENT_RETRY_BASE_MS: '60000',
      PAYMENT_MAX_ATTEMPTS: '100',
    });

  beforeAll(async () => {
    ordersDb = await createTestDatabase();
  });
  afterAll(async () => {
    for (const client of clients.splice(0)) await client.dispose();
    await disposeLeftovers();
    await ordersDb?.dispose();
  });

  /** Subscribes on `server` from `after` and collects what arrives, until the socket dies. */
  async function listen(server: OrdersProcess, after: string | null) {
    const events: Event[] = [];
    const errors: unknown[] = [];
    const client = createClient({
      url: server.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      lazy: false,
      // The socket to the killed server dies: expected here, not worth a line on stderr.
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    client.subscribe<{ orderEvents: Event }>(
      { query: LIVE, variables: { after } },
      {
        next: (result) => {
          if (result.data) events.push(result.data.orderEvents);
          if (result.errors) errors.push(...result.errors);
        },
        error: (error) => errors.push(error),
        complete: () => undefined,
      },
    );
    const open = async () =>
      valueOf(await scrape(server.baseUrl), 'graphql_active_subscriptions') ?? 0;
    await eventually(open, (n) => n === 1);
    return { events, errors };
  }

  async function create(server: OrdersProcess): Promise<string> {
    const result = await postGraphQL<{ createOrder: OrderResult }>(server.url, CREATE_ORDER, {
      input: orderInput(),
    });
    if (!result.data?.createOrder) throw new Error(`create failed: ${JSON.stringify(result)}`);
    return result.data.createOrder.id;
  }

  async function cancel(server: OrdersProcess, id: string): Promise<void> {
    const result = await postGraphQL(server.url, CANCEL_ORDER, { id, reason: 'restart test' });
    expect(result.errors).toBeUndefined();
  }

  /** The whole log, read through the query. */
  async function wholeLog(server: OrdersProcess): Promise<Event[]> {
    // The log holds a commit once every transaction begun before it has ended.
    await waitForLogHorizon();
    const events: Event[] = [];
    let after: string | null = null;
    for (;;) {
      const result: GraphQLResponse<LogPage> = await postGraphQL<LogPage>(server.url, PAGE, {
        after,
        first: 500,
      });
      const page: LogPage['orderEvents'] | undefined = result.data?.orderEvents;
      if (page === undefined) throw new Error(`page failed: ${JSON.stringify(result.errors)}`);
      events.push(...page.edges.map((e) => e.node));
      if (!page.pageInfo.hasNextPage) return events;
      after = page.pageInfo.endCursor;
    }
  }

  it('resumes from its last cursor on the restarted server: everything meanwhile, once, in order', async () => {
    const first = await OrdersProcess.start(env(), { name: 'first' });
    const before = await listen(first, null);
    const [o1, o2, o3] = [await create(first), await create(first), await create(first)];
    await eventually(
      () => Promise.resolve(before.events.length),
      (n) => n >= 3,
    );
    // Committed just before the kill: the subscriber may or may not have heard of them.
    await cancel(first, o1);
    const o4 = await create(first);
    expect(await first.kill('SIGKILL')).toEqual({ code: null, signal: 'SIGKILL' });

    const second = await OrdersProcess.start(env(), { name: 'second' });
    try {
      // While nobody listens.
      await cancel(second, o2);
      const o5 = await create(second);
      const last = before.events.at(-1);
      if (last === undefined) throw new Error('nothing arrived before the kill');
      const after = await listen(second, last.cursor);
      // And live again.
      await cancel(second, o3);

      const log = await wholeLog(second);
      expect(log.map((e) => `${e.orderId} ${e.to}`)).toEqual([
        `${o1} CREATED`,
        `${o2} CREATED`,
        `${o3} CREATED`,
        `${o1} CANCELLED`,
        `${o4} CREATED`,
        `${o2} CANCELLED`,
        `${o5} CREATED`,
        `${o3} CANCELLED`,
      ]);
      const owed = log.length - before.events.length;
      await eventually(
        () => Promise.resolve(after.events.length),
        (n) => n >= owed,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(after.errors).toEqual([]);
      // What arrived before the kill and after the resume is the log: each once, in order.
      expect([...before.events, ...after.events]).toEqual(log);
    } finally {
      await second.stop();
    }
  });
});
