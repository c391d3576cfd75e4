import { sql, type DatabaseHandle } from '@oms/database';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOrdersDatabase } from './support/orders-database.js';
import { OrdersService } from '../src/domain/orders.service.js';
import { DEMO_PRINCIPAL } from '../src/domain/principal.js';
import {
  ordersPersistence,
  type OrdersPersistence,
} from '../src/persistence/orders-persistence.js';
import type { OrdersSchema } from '../src/persistence/schema.js';

describe('the oldest due job age read for /metrics', () => {
  let testDb: TestDatabase;
  let handle: DatabaseHandle<OrdersSchema>;
  let store: OrdersPersistence;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    handle = await openOrdersDatabase(testDb);
    store = ordersPersistence(handle, { delays: { deliveryDelay: 0 } });
  });
  afterAll(async () => {
    await handle.close();
    await testDb.dispose();
  });

  const create = () =>
    new OrdersService({
      repository: store.repository,
      cancellation: store.transitions,
    }).createOrder(DEMO_PRINCIPAL, {
      items: [{ sku: 'SKU-1', name: 'Widget', quantity: 1, unitPrice: 100 }],
    });
  const dueIn = (id: string, seconds: number) =>
    handle.db.execute(
      sql`update orders set next_action_at = now() + ${seconds}::float8 * interval '1 second'
          where id = ${id}`,
    );

  it('is null when no job is due, and counts only jobs that are due, from the oldest', async () => {
    expect(await store.jobs.oldestDueAgeSeconds()).toBeNull();
    // No worker runs here: each order keeps its PAY job.
    const [waiting, older, future] = [await create(), await create(), await create()];
    await dueIn(waiting.id, -5);
    await dueIn(older.id, -90);
    await dueIn(future.id, 3_600);
    const age = await store.jobs.oldestDueAgeSeconds();
    expect(age).toBeGreaterThanOrEqual(90);
    expect(age).toBeLessThan(100);

    await handle.db.execute(
      sql`update orders set next_action = null, next_action_at = null where id in (${waiting.id}, ${older.id})`,
    );
    expect(await store.jobs.oldestDueAgeSeconds()).toBeNull();
  });
});
