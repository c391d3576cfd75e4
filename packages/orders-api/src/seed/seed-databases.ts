import { fileURLToPath } from 'node:url';
import { openDatabase, type DatabaseHandle } from '@oms/database';
import { openPaymentsDatabase } from '@oms/payments-api/database';
import type { PaymentsSettings } from '@oms/payments-api/settings';
import type { OrdersSettings } from '../config/settings.js';
import { schema, type OrdersSchema } from '../persistence/schema.js';
import { seed, type SeedProgress } from './seed-writer.js';
import type { SeedOptions } from './seed-generator.js';

export { seed, type SeedProgress, type SeedTarget } from './seed-writer.js';
export { seedOrders, type SeedOptions, type SeedOrder } from './seed-generator.js';

const MIGRATIONS = fileURLToPath(new URL('../../drizzle', import.meta.url));

/** orders-api's database as the service opens it (migrated to the latest schema). */
export function openOrdersDatabase(
  settings: Pick<OrdersSettings, 'databaseUrl' | 'dataDir'>,
): Promise<DatabaseHandle<OrdersSchema>> {
  return openDatabase({
    url: settings.databaseUrl,
    dataDir: settings.dataDir,
    schema,
    migrationsFolder: MIGRATIONS,
    migrationsTable: '__orders_migrations',
  });
}

/**
 * Fills the databases `pnpm start` uses (both services': orders and their payments) with the
 * demo history. The embedded databases are one process's each: the services must be stopped.
 */
export async function seedDatabases(
  orders: Pick<OrdersSettings, 'databaseUrl' | 'dataDir'>,
  payments: Pick<PaymentsSettings, 'databaseUrl' | 'dataDir'> | null,
  options: SeedOptions,
  onProgress?: (progress: SeedProgress) => void,
): Promise<{ orders: number }> {
  const ordersDb = await openOrdersDatabase(orders);
  const paymentsDb = payments === null ? null : await openPaymentsDatabase(payments);
  try {
    return await seed(
      { orders: ordersDb, ...(paymentsDb === null ? {} : { payments: paymentsDb }) },
      options,
      onProgress,
    );
  } finally {
    await ordersDb.close();
    await paymentsDb?.close();
  }
}
