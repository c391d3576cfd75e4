import { fileURLToPath } from 'node:url';
import { openDatabase, type DatabaseHandle } from '@oms/database';
import type { PaymentsSettings } from '../config/settings.js';
import { paymentsSchema } from './schema.js';

/** Where payments-api records its applied migrations; its own, so it can share a server. */
export const MIGRATIONS_TABLE = '__payments_migrations';

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));

export type PaymentsDatabase = DatabaseHandle<typeof paymentsSchema>;

/** Opens the configured database and applies pending migrations. */
export function openPaymentsDatabase(
  settings: Pick<PaymentsSettings, 'databaseUrl' | 'dataDir'>,
  onNotice?: (message: string) => void,
): Promise<PaymentsDatabase> {
  return openDatabase({
    url: settings.databaseUrl,
    dataDir: settings.dataDir,
    schema: paymentsSchema,
    migrationsFolder: MIGRATIONS_FOLDER,
    migrationsTable: MIGRATIONS_TABLE,
    ...(onNotice === undefined ? {} : { onNotice }),
  });
}
