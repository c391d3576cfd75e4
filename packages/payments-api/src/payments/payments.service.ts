import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Database, SqlClient } from '@oms/database';
import { and, asc, eq, sql } from 'drizzle-orm';
import { v7 as uuidv7, validate as isUuid } from 'uuid';
import type { LatencyRange } from '../config/settings.js';
import {
  payments,
  type PaymentRow,
  type PaymentStatus,
  type paymentsSchema,
} from '../db/schema.js';
import { drawLatencyMs, drawOutcome, type RandomSource } from './payment-outcome.js';

/** A payment as callers may see it: no idempotency key, no token hash. */
export interface Payment {
  readonly id: string;
  readonly orderId: string;
  readonly status: PaymentStatus;
  readonly amount: number | null;
  readonly currency: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly refundedAt: Date | null;
}

export interface ChargeCommand {
  readonly idempotencyKey: string;
  readonly orderId: string;
  readonly amount: number;
  readonly currency: string;
  readonly paymentToken: string;
}

export interface VoidCommand {
  readonly idempotencyKey: string;
  readonly orderId: string;
}

/** `replayed` covers both a retry of the same charge and a key that was voided first. */
export type ChargeResult =
  | { readonly kind: 'created'; readonly payment: Payment }
  | { readonly kind: 'replayed'; readonly payment: Payment }
  | { readonly kind: 'key-reused' };

export type RefundResult =
  | { readonly kind: 'refunded' | 'already-refunded' | 'not-refundable'; readonly payment: Payment }
  | { readonly kind: 'not-found' };

/** `voided`: no charge existed, one is now blocked; `refunded`: a confirmed charge was refunded. */
export type VoidResult =
  | { readonly kind: 'voided' | 'refunded' | 'unchanged'; readonly payment: Payment }
  | { readonly kind: 'key-reused' };

export interface PaymentsServiceOptions {
  readonly db: Database<typeof paymentsSchema>;
  /** The same database, for statements over arrays (a batch is one statement, prepared once). */
  readonly query: SqlClient['query'];
  readonly approvalRate: number;
  readonly latencyMs: LatencyRange;
  readonly random?: RandomSource;
}

/** The mock provider's rules, over its own table; knows nothing of HTTP. */
export class PaymentsService {
  private readonly db: Database<typeof paymentsSchema>;
  private readonly query: SqlClient['query'];
  private readonly approvalRate: number;
  private readonly latencyMs: LatencyRange;
  private readonly random: RandomSource;

  constructor(options: PaymentsServiceOptions) {
    this.db = options.db;
    this.query = options.query;
    this.approvalRate = options.approvalRate;
    this.latencyMs = options.latencyMs;
    this.random = options.random ?? Math.random;
  }

  /** Charges once per idempotency key; later calls with the key get the stored record back. */
  async charge(command: ChargeCommand): Promise<ChargeResult> {
    const tokenHash = hashToken(command.paymentToken);
    const existing = await this.findRowByKey(command.idempotencyKey);
    const result =
      existing === undefined
        ? await this.createCharge(command, tokenHash)
        : replayCharge(existing, command, tokenHash);
    await this.processingDelay();
    if (result.kind !== 'created') return result;
    // A void may have refunded the charge while it was "processing"; answer what is true now.
    const current = await this.findRowById(result.payment.id);
    return current === undefined ? result : { kind: 'created', payment: toPayment(current) };
  }

  /**
   * Charges each command as `charge` would have alone, one result per command in order, with one
   * insert for the whole batch. A key that comes again later in the batch is answered as a retry
   * sent after the first: the same record, or `key-reused` for another payload.
   */
  async chargeMany(commands: readonly ChargeCommand[]): Promise<ChargeResult[]> {
    const hashes = commands.map((command) => hashToken(command.paymentToken));
    const firstOf = new Map<string, number>();
    commands.forEach((command, index) => {
      if (!firstOf.has(command.idempotencyKey)) firstOf.set(command.idempotencyKey, index);
    });
    // Inserted in key order: two batches holding some of the same keys in different orders
    // would otherwise each wait for a key the other has inserted (a deadlock PostgreSQL
    // resolves by failing one of them). One order for every batch leaves one of them to wait.
    const keyOf = (index: number) => (commands[index] as ChargeCommand).idempotencyKey;
    const firsts = [...firstOf.values()].sort((a, b) =>
      keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0,
    );
    const fresh = firsts.map((index) => commands[index] as ChargeCommand);
    const inserted = await this.query<RawPaymentRow>(INSERT_CHARGES, [
      fresh.map(() => uuidv7()),
      fresh.map((c) => c.idempotencyKey),
      fresh.map((c) => c.orderId),
      fresh.map((c) => drawOutcome(c.paymentToken, this.approvalRate, this.random)),
      fresh.map((c) => c.amount),
      fresh.map((c) => c.currency),
      firsts.map((index) => hashes[index]),
    ]);
    const rows = new Map(inserted.map((raw) => [raw.idempotencyKey, fromRaw(raw)]));
    const created = new Set(rows.keys());
    // Keys stored before, or by a concurrent request: read in a statement of its own, which
    // (unlike the insert's snapshot) sees the rows whose conflict made the insert skip them.
    const taken = fresh.map((c) => c.idempotencyKey).filter((key) => !created.has(key));
    if (taken.length > 0) {
      for (const raw of await this.query<RawPaymentRow>(SELECT_BY_KEYS, [taken])) {
        rows.set(raw.idempotencyKey, fromRaw(raw));
      }
    }
    await this.processingDelay();
    if (created.size > 0) {
      // A void may have refunded a charge while it was "processing"; answer what is true now.
      const ids = [...created].map((key) => rows.get(key)?.id);
      for (const raw of await this.query<RawPaymentRow>(SELECT_BY_IDS, [ids])) {
        rows.set(raw.idempotencyKey, fromRaw(raw));
      }
    }
    return commands.map((command, index) => {
      const row = rows.get(command.idempotencyKey);
      if (row === undefined) throw new Error('payment row disappeared after a key conflict');
      const isFirst = firstOf.get(command.idempotencyKey) === index;
      return isFirst && created.has(command.idempotencyKey)
        ? { kind: 'created', payment: toPayment(row) }
        : replayCharge(row, command, hashes[index] as string);
    });
  }

  /** The payment with this id, or undefined (also for ids that are not UUIDs). */
  async find(id: string): Promise<Payment | undefined> {
    const row = await this.findRowById(id);
    return row === undefined ? undefined : toPayment(row);
  }

  /** Every payment recorded for an order, oldest first (for reconciliation). */
  async listByOrder(orderId: string): Promise<Payment[]> {
    const rows = await this.db
      .select()
      .from(payments)
      .where(eq(payments.orderId, orderId))
      .orderBy(asc(payments.createdAt), asc(payments.id));
    return rows.map(toPayment);
  }

  /** Refunds a confirmed payment; refunding a refunded one is a no-op that answers the same record. */
  async refund(id: string): Promise<RefundResult> {
    if (!isUuid(id)) return { kind: 'not-found' };
    // The status guard makes two concurrent refunds refund once: the second matches no row.
    const [refunded] = await this.db
      .update(payments)
      .set(refundedValues())
      .where(and(eq(payments.id, id), eq(payments.status, 'confirmed')))
      .returning();
    if (refunded !== undefined) return { kind: 'refunded', payment: toPayment(refunded) };
    const current = await this.findRowById(id);
    if (current === undefined) return { kind: 'not-found' };
    const payment = toPayment(current);
    return current.status === 'refunded'
      ? { kind: 'already-refunded', payment }
      : { kind: 'not-refundable', payment };
  }

  /** Makes sure nothing stays charged under this key: blocks a future charge or refunds a confirmed one. */
  async voidByKey(command: VoidCommand): Promise<VoidResult> {
    // Claiming the key first means a charge racing with us either finds the placeholder or
    // has already inserted its row, which the guarded update below then refunds.
    const [placeholder] = await this.db
      .insert(payments)
      .values({
        id: uuidv7(),
        idempotencyKey: command.idempotencyKey,
        orderId: command.orderId,
        status: 'voided',
      })
      .onConflictDoNothing({ target: payments.idempotencyKey })
      .returning();
    if (placeholder !== undefined) return { kind: 'voided', payment: toPayment(placeholder) };

    const [refunded] = await this.db
      .update(payments)
      .set(refundedValues())
      .where(
        and(
          eq(payments.idempotencyKey, command.idempotencyKey),
          eq(payments.orderId, command.orderId),
          eq(payments.status, 'confirmed'),
        ),
      )
      .returning();
    if (refunded !== undefined) return { kind: 'refunded', payment: toPayment(refunded) };

    const current = await this.findRowByKey(command.idempotencyKey);
    if (current === undefined) throw new Error('payment row disappeared after a key conflict');
    if (current.orderId !== command.orderId) return { kind: 'key-reused' };
    return { kind: 'unchanged', payment: toPayment(current) };
  }

  private async createCharge(command: ChargeCommand, tokenHash: string): Promise<ChargeResult> {
    const [inserted] = await this.db
      .insert(payments)
      .values({
        id: uuidv7(),
        idempotencyKey: command.idempotencyKey,
        orderId: command.orderId,
        status: drawOutcome(command.paymentToken, this.approvalRate, this.random),
        amount: command.amount,
        currency: command.currency,
        tokenHash,
      })
      .onConflictDoNothing({ target: payments.idempotencyKey })
      .returning();
    if (inserted !== undefined) return { kind: 'created', payment: toPayment(inserted) };
    // A concurrent request with the same key inserted first; its outcome is the one that counts.
    const winner = await this.findRowByKey(command.idempotencyKey);
    if (winner === undefined) throw new Error('payment row disappeared after a key conflict');
    return replayCharge(winner, command, tokenHash);
  }

  private async processingDelay(): Promise<void> {
    if (this.latencyMs.max === 0) return;
    await sleep(drawLatencyMs(this.latencyMs, this.random));
  }

  private async findRowById(id: string): Promise<PaymentRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.select().from(payments).where(eq(payments.id, id)).limit(1);
    return row;
  }

  private async findRowByKey(idempotencyKey: string): Promise<PaymentRow | undefined> {
    const [row] = await this.db
      .select()
      .from(payments)
      .where(eq(payments.idempotencyKey, idempotencyKey))
      .limit(1);
    return row;
  }
}

/** Every column of a payment, named as drizzle names them in `PaymentRow`. */
const PAYMENT_COLUMNS = `
  id, idempotency_key as "idempotencyKey", order_id as "orderId", status, amount, currency,
  token_hash as "tokenHash", created_at as "createdAt", updated_at as "updatedAt",
  refunded_at as "refundedAt"`;

/** New charges from parallel arrays; keys already taken are skipped and not returned. */
const INSERT_CHARGES = `
  insert into payments (id, idempotency_key, order_id, status, amount, currency, token_hash)
  select * from unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[],
                       $7::text[])
  on conflict (idempotency_key) do nothing
  returning ${PAYMENT_COLUMNS}`;

const SELECT_BY_KEYS = `select ${PAYMENT_COLUMNS} from payments where idempotency_key = any($1::text[])`;

const SELECT_BY_IDS = `select ${PAYMENT_COLUMNS} from payments where id = any($1::uuid[])`;

/** A payment row from a statement of text: timestamps as the driver gives them. */
type RawPaymentRow = Omit<PaymentRow, 'createdAt' | 'updatedAt' | 'refundedAt'> & {
  createdAt: Date | string;
  updatedAt: Date | string;
  refundedAt: Date | string | null;
};

function fromRaw(raw: RawPaymentRow): PaymentRow {
  return {
    ...raw,
    createdAt: toDate(raw.createdAt),
    updatedAt: toDate(raw.updatedAt),
    refundedAt: raw.refundedAt === null ? null : toDate(raw.refundedAt),
  };
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function replayCharge(row: PaymentRow, command: ChargeCommand, tokenHash: string): ChargeResult {
  // A void got to this key first: the charge must never be captured, whatever its payload.
  if (row.status === 'voided') return { kind: 'replayed', payment: toPayment(row) };
  const samePayload =
    row.orderId === command.orderId &&
    row.amount === command.amount &&
    row.currency === command.currency &&
    row.tokenHash === tokenHash;
  return samePayload ? { kind: 'replayed', payment: toPayment(row) } : { kind: 'key-reused' };
}

function refundedValues() {
  return { status: 'refunded' as const, refundedAt: sql`now()`, updatedAt: sql`now()` };
}

function hashToken(paymentToken: string): string {
  return createHash('sha256').update(paymentToken).digest('hex');
}

function toPayment(row: PaymentRow): Payment {
  return {
    id: row.id,
    orderId: row.orderId,
    status: row.status,
    amount: row.amount,
    currency: row.currency,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    refundedAt: row.refundedAt,
  };
}
