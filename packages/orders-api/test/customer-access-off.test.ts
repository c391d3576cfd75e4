import { rm } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { queryRows, sql } from '@oms/database';
import { createTestDatabase } from '@oms/database/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newOrderId } from '../src/domain/order-ids.js';
import { SqlOrderRepository } from '../src/persistence/order-repository.js';
import { RawSocket } from './support/access.js';
import {
  ORDERS_MIGRATIONS,
  migrationsBefore,
  openMigratedWith,
} from './support/orders-database.js';
import { CANCEL_ORDER, Stack, orderInput } from './support/stack.js';

const ALL_ORDERS = 'subscription { orderUpdated { id customerId status } }';
const CREATE = `mutation Create($input: CreateOrderInput!) { createOrder(input: $input) { id customerId } }`;
const LIST = 'query { orders(first: 100) { edges { node { id customerId } } } }';

describe('without ORDERS_JWT_SECRET or ORDERS_JWKS_URL, the service runs as before', () => {
  let stack: Stack;
  const logged: string[] = [];

  beforeAll(async () => {
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logged.push(
          ...chunk
            .toString()
            .split('\n')
            .filter((l) => l !== ''),
        );
        done();
      },
    });
    stack = await Stack.start({ ordersLog: pino({ level: 'info' }, stream) });
  });
  afterAll(() => stack.close());

  it('says so once at start, as a warning', () => {
    const lines = logged
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .filter((l) => l.msg.startsWith('per-customer access'));
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'per-customer access is off: every request acts as the demo customer (set ORDERS_JWT_SECRET or ORDERS_JWKS_URL)',
      }),
    ]);
  });

  it('serves requests without a token as the demo customer, who sees and cancels every order', async () => {
    const created = await stack.gql<{ createOrder: { id: string; customerId: string } }>(CREATE, {
      input: orderInput(),
    });
    expect(created.status).toBe(200);
    expect(created.data?.createOrder.customerId).toBe('demo-customer');
    const id = created.data?.createOrder.id ?? '';
    const list = await stack.gql<{ orders: { edges: { node: { id: string } }[] } }>(LIST);
    expect(list.data?.orders.edges.map((e) => e.node.id)).toContain(id);
    const cancelled = await stack.gql(CANCEL_ORDER, { id, reason: null });
    expect(cancelled.errors).toBeUndefined();
  });

  it('does not look at a token sent anyway', async () => {
    const result = await stack.gql<{ createOrder: { customerId: string } }>(
      CREATE,
      { input: orderInput() },
      { authorization: 'Bearer not.a.token' },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.createOrder.customerId).toBe('demo-customer');
  });

  it('admits a WebSocket without connection params, and sends it every order', async () => {
    const socket = new RawSocket(stack.graphqlUrl);
    expect(await socket.acked).toBe(true);
    socket.close();
    const sub = stack.subscribe<{ orderUpdated: { id: string } }>(ALL_ORDERS);
    const probe = await stack.gql<{ createOrder: { id: string } }>(CREATE, { input: orderInput() });
    await sub.waitFor((events) =>
      events.some((e) => e.orderUpdated.id === probe.data?.createOrder.id),
    );
    expect(sub.errors).toEqual([]);
    sub.stop();
  });
});

describe('migration 0002', () => {
  it('gives the orders made before it to the demo customer, and scopes idempotency keys per customer', async () => {
    // The migrations as they were before 0002.
    const before = await migrationsBefore(2);
    const testDb = await createTestDatabase();
    const open = (migrationsFolder: string) => openMigratedWith(testDb, migrationsFolder);
    try {
      const old = await open(before);
      const legacyId = newOrderId();
      await old.db.execute(
        sql`insert into orders (id, status, currency, total, idempotency_key)
            values (${legacyId}, 'CREATED', 'EUR', 100, 'legacy-key')`,
      );
      await old.close();

      const migrated = await open(ORDERS_MIGRATIONS);
      try {
        const rows = await queryRows<{ customer_id: string }>(
          migrated.db,
          sql`select customer_id from orders where id = ${legacyId}`,
        );
        expect(rows).toEqual([{ customer_id: 'demo-customer' }]);
        const store = new SqlOrderRepository(migrated);
        const draft = (customerId = 'demo-customer') => ({
          id: newOrderId(),
          customerId,
          currency: 'EUR',
          total: 100,
          items: [{ sku: 'S', name: 'N', quantity: 1, unitPrice: 100 }],
          paymentToken: null,
          idempotencyKey: 'legacy-key',
          requestHash: null,
          traceParent: null,
        });
        // The demo customer's key is still taken; another customer's use of it is not a conflict.
        expect(await store.insert(draft())).toBeNull();
        const created = await store.insert(draft('customer-x'));
        expect(created?.createdAt).toBeInstanceOf(Date);
        // After the legacy order's 1001 (a refused insert may have used a number up).
        expect(created?.number).toBeGreaterThan(1001);
        expect(await store.findByIdempotencyKey('demo-customer', 'legacy-key')).toMatchObject({
          id: legacyId,
        });
      } finally {
        await migrated.close();
      }
    } finally {
      await testDb.dispose();
      await rm(before, { recursive: true, force: true });
    }
  });
});
