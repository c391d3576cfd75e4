import type { Database } from '@oms/database';
import { sql, type SQL } from 'drizzle-orm';
import type { OrdersSchema } from './schema.js';

/** The orders database, over either driver. */
export type OrdersDb = Database<OrdersSchema>;

/** A timestamp as either driver returns it. */
export const toDate = (value: Date | string): Date =>
  value instanceof Date ? value : new Date(value);

/** `a, b, c` as bound parameters, for `in (...)`. */
export const list = (values: readonly string[]): SQL =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
