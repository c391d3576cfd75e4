import { queryRows } from '@oms/database';
import { sql } from 'drizzle-orm';
import type { OrdersDb } from './order-store.js';

/**
 * Seconds the oldest due background job (the `next_action` of an order row) has been waiting,
 * or null when none is due. A job being worked on is not due: its lease moved `next_action_at`
 * ahead. Read on every metrics scrape, so it is one `min()` over the partial `orders_due_idx`.
 * A monitoring read with no part in the lifecycle, it lives here rather than in OrderStore.
 */
export async function oldestDueJobAgeSeconds(db: OrdersDb): Promise<number | null> {
  const rows = await queryRows<{ age: number | string | null }>(
    db,
    sql`select extract(epoch from now() - min(next_action_at)) as age
        from orders where next_action is not null and next_action_at <= now()`,
  );
  const age = rows[0]?.age;
  return age === null || age === undefined ? null : Number(age);
}
