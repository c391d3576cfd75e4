import { sql } from 'drizzle-orm';
import { char, check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { PAYMENT_STATUSES } from '../contract.js';

export type { PaymentStatus } from '../contract.js';

const statusList = sql.raw(PAYMENT_STATUSES.map((status) => `'${status}'`).join(', '));

/** One row per Idempotency-Key: a charge, or a void that arrived before any charge. */
export const payments = pgTable(
  'payments',
  {
    id: uuid('id').primaryKey(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    orderId: text('order_id').notNull(),
    status: text('status', { enum: PAYMENT_STATUSES }).notNull(),
    amount: integer('amount'),
    currency: char('currency', { length: 3 }),
    // sha256 of the payment token, kept only to tell a retry from a reused key.
    tokenHash: text('token_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    refundedAt: timestamp('refunded_at', { withTimezone: true }),
  },
  (table) => [
    // Reconciliation looks payments up by the order they belong to.
    index('payments_order_id_idx').on(table.orderId),
    check('payments_status_check', sql`${table.status} in (${statusList})`),
    // Only a void placeholder may lack the charge details.
    check(
      'payments_charge_fields_check',
      sql`${table.status} = 'voided' or (${table.amount} is not null and ${table.currency} is not null and ${table.tokenHash} is not null)`,
    ),
    check(
      'payments_refunded_at_check',
      sql`(${table.status} = 'refunded') = (${table.refundedAt} is not null)`,
    ),
  ],
);

/** The tables drizzle knows about, passed to `openDatabase`. */
export const paymentsSchema = { payments };

export type PaymentRow = typeof payments.$inferSelect;
