import { fileURLToPath } from 'node:url';
import { openDatabase, queryRows, sql, type DatabaseHandle } from '@oms/database';
import { createTestDatabase, type TestDatabase } from '@oms/database/testing';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrdersService } from '../domain/orders.service.js';
import { DEMO_PRINCIPAL } from '../domain/principal.js';
import { ordersPersistence } from '../persistence/orders-persistence.js';
import { schema, type OrdersSchema } from '../persistence/schema.js';
import { PaymentsClient } from '../payments/payments.client.js';
import { OrderWorker } from './order-worker.js';

const RETRY_BASE_MS = 10_000;

describe('the worker schedules a failed payment call by its backoff', () => {
  let testDb: TestDatabase;
  let database: DatabaseHandle<OrdersSchema>;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    database = await openDatabase({
      url: testDb.url,
      dataDir: testDb.dataDir,
      schema,
      migrationsFolder: fileURLToPath(new URL('../../drizzle', import.meta.url)),
      migrationsTable: '__orders_migrations',
    });
  });
  afterAll(async () => {
    await database.close();
    await testDb.dispose();
  });

  it('puts the next attempt between half and all of the base delay away', async () => {
    const { repository, transitions, jobs } = ordersPersistence(database, {
      delays: { deliveryDelay: 60 },
    });
    const order = await new OrdersService({ repository, cancellation: transitions }).createOrder(
      DEMO_PRINCIPAL,
      { items: [{ sku: 'A', name: 'Mug', quantity: 1, unitPrice: 100 }] },
    );
    // Nothing listens on port 1 of the loopback: every call fails at once and is retryable.
    const payments = new PaymentsClient({
      baseUrl: 'http://127.0.0.1:1',
      token: 't',
      timeoutMs: 1_000,
    });
    const worker = new OrderWorker(
      jobs,
      transitions,
      payments,
      {
        paymentTimeoutMs: 1_000,
        paymentMaxAttempts: 5,
        paymentRetryBaseMs: RETRY_BASE_MS,
        batchSize: 10,
        concurrency: 1,
        idlePollMs: 50,
      },
      pino({ level: 'silent' }),
    );
    worker.start();
    type Job = { attempts: number; claimed: boolean; delay_ms: number; status: string };
    const read = async () =>
      (
        await queryRows<Job>(
          database.db,
          sql`select attempts, claim_token is not null as claimed, status,
                     extract(epoch from (next_action_at - now())) * 1000 as delay_ms
              from orders where id = ${order.id}`,
        )
      )[0];
    let job = await read();
    const deadline = Date.now() + 10_000;
    while ((job?.attempts !== 1 || job.claimed) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      job = await read();
    }
    await worker.stop();
    expect(job?.status).toBe('CREATED');
    expect(job?.attempts).toBe(1);
    expect(job?.claimed).toBe(false);
    // Equal jitter: at least half the base, at most the base (less the time spent polling).
    expect(Number(job?.delay_ms)).toBeGreaterThan(RETRY_BASE_MS / 2 - 1_000);
    expect(Number(job?.delay_ms)).toBeLessThanOrEqual(RETRY_BASE_MS);
  });
});
