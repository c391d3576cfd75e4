import { queryRows, sql, type DatabaseHandle, type SqlClient } from '@oms/database';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrdersDatabase } from './support/orders-database.js';
import { newOrderId } from '../src/domain/order-ids.js';
import type { NewOrder } from '../src/domain/order-ports.js';
import { OrdersService } from '../src/domain/orders.service.js';
import { OrderError } from '../src/domain/order-errors.js';
import type { Principal } from '../src/domain/principal.js';
import {
  ordersPersistence,
  type OrdersPersistence,
} from '../src/persistence/orders-persistence.js';
import type { OrdersSchema } from '../src/persistence/schema.js';

/** The real database, with every statement that inserts orders written down as it passes. */
function recording(db: SqlClient) {
  const inserts: string[][] = [];
  const client: SqlClient = {
    query(text, params) {
      if (text.includes('insert into orders')) inserts.push([...(params[0] as string[])]);
      return db.query(text, params);
    },
  };
  return { client, inserts };
}

const customer = (id: string): Principal => ({ customerId: id, admin: false });
const item = { sku: 'MUG-1', name: 'Mug', quantity: 2, unitPrice: 1_250 };

function newOrder(overrides: Partial<NewOrder> = {}): NewOrder {
  return {
    id: newOrderId(),
    customerId: 'customer-a',
    currency: 'EUR',
    total: 2_500,
    items: [item, { ...item, sku: 'MUG-2' }],
    paymentToken: 'tok_approve',
    idempotencyKey: null,
    requestHash: null,
    traceParent: null,
    ...overrides,
  };
}

describe(`group commit of new orders (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'embedded'})`, () => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle<OrdersSchema>;
  let inserts: string[][];
  let store: OrdersPersistence;
  let service: OrdersService;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    handle = await openOrdersDatabase(testDb);
    const recorded = recording(handle);
    inserts = recorded.inserts;
    // One batch in flight at a time, so what arrives together is written together.
    store = ordersPersistence(recorded.client, {
      delays: { deliveryDelay: 0 },
      batching: { maxBatch: 50, maxInFlight: 1 },
    });
    service = new OrdersService({ repository: store.repository, cancellation: store.transitions });
  });
  afterAll(async () => {
    await handle.close();
    await testDb.dispose();
  });

  /** Each order as stored: its items, its history and its first job. */
  async function stored(ids: readonly string[]) {
    return handle.query<{
      id: string;
      status: string;
      next_action: string | null;
      items: number;
      history: string[];
    }>(
      `select o.id, o.status, o.next_action,
              (select count(*)::int from order_items i where i.order_id = o.id) as items,
              (select array_agg(t.to_status::text order by t.seq) from order_transitions t
                where t.order_id = o.id) as history
       from orders o where o.id = any($1::uuid[]) order by o.id`,
      [ids],
    );
  }

  it('writes concurrent orders with one statement, each whole, each caller its own answer', async () => {
    inserts.length = 0;
    const orders = Array.from({ length: 12 }, () => newOrder());
    const answers = await Promise.all(orders.map((order) => store.repository.insert(order)));
    expect(answers.every((created) => created?.createdAt instanceof Date)).toBe(true);
    // Numbered in the order the orders arrived, without a number used twice.
    const numbers = answers.map((created) => created?.number ?? 0);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(inserts).toEqual([orders.map((o) => o.id)]);
    const rows = await stored(orders.map((o) => o.id));
    expect(rows).toHaveLength(12);
    for (const row of rows) {
      expect(row).toMatchObject({ status: 'CREATED', next_action: 'PAY', items: 2 });
      expect(row.history).toEqual(['CREATED']);
    }
  });

  it('fails only the order whose row the database refuses; the others of its batch are stored', async () => {
    inserts.length = 0;
    const good = Array.from({ length: 6 }, () => newOrder());
    // The service never sends this (it validates first); the database's own check refuses it.
    const bad = newOrder({ currency: 'eur' });
    const batch = [...good.slice(0, 3), bad, ...good.slice(3)];
    const settled = await Promise.allSettled(batch.map((order) => store.repository.insert(order)));
    expect(inserts[0]).toEqual(batch.map((o) => o.id));
    const outcome = settled.map((s) => s.status);
    expect(outcome).toEqual(batch.map((o) => (o === bad ? 'rejected' : 'fulfilled')));
    const refused = settled[3];
    expect(refused?.status === 'rejected' ? String(refused.reason) : '').toMatch(
      /orders_currency_iso|check constraint/,
    );
    const rows = await stored(batch.map((o) => o.id));
    expect(rows.map((r) => r.id).sort()).toEqual(good.map((o) => o.id).sort());
    for (const row of rows) expect(row).toMatchObject({ items: 2, history: ['CREATED'] });
  });

  it('treats a key used twice in one batch as a repeat: one order, the same answer to both', async () => {
    inserts.length = 0;
    const input = { items: [item], currency: 'EUR', idempotencyKey: 'key-twice' };
    const [first, second, otherCustomer] = await Promise.all([
      service.createOrder(customer('customer-a'), input),
      service.createOrder(customer('customer-a'), input),
      service.createOrder(customer('customer-b'), input),
    ]);
    // One statement for the three calls: the repeat waited for the first rather than racing it.
    expect(inserts).toHaveLength(1);
    expect(inserts[0]).toHaveLength(2);
    expect(second.id).toBe(first.id);
    expect(otherCustomer.id).not.toBe(first.id);
    const rows = await queryRows<{ customer_id: string; count: number }>(
      handle.db,
      sql`select customer_id, count(*)::int as count from orders
          where idempotency_key = 'key-twice' group by customer_id order by customer_id`,
    );
    expect(rows).toEqual([
      { customer_id: 'customer-a', count: 1 },
      { customer_id: 'customer-b', count: 1 },
    ]);
  });

  it('refuses a key used twice in one batch for different orders, storing the first only', async () => {
    const key = 'key-reused-in-batch';
    const settled = await Promise.allSettled([
      service.createOrder(customer('customer-a'), { items: [item], idempotencyKey: key }),
      service.createOrder(customer('customer-a'), {
        items: [{ ...item, quantity: 3 }],
        idempotencyKey: key,
      }),
    ]);
    const [first, second] = settled;
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const error = second.status === 'rejected' ? (second.reason as unknown) : undefined;
    expect(error).toBeInstanceOf(OrderError);
    expect((error as OrderError).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((error as OrderError).details.orderId).toBe(
      first.status === 'fulfilled' ? first.value.id : undefined,
    );
  });
});
