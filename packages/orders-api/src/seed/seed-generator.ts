import { createHash, randomUUID } from 'node:crypto';
import {
  CANCEL_REASONS,
  CURRENCY_RATES,
  FIRST_NAMES,
  LAST_NAMES,
  PRODUCTS,
  places,
  type Place,
} from './seed-catalogue.js';

/** One order as written: the orders row, its items, its history, and its payment (if any). */
export interface SeedOrder {
  order: {
    id: string;
    status: 'CREATED' | 'CONFIRMED' | 'DELIVERED' | 'CANCELLED';
    currency: string;
    total: number;
    cancellation_reason: string | null;
    payment_token: string | null;
    payment_id: string | null;
    payment_attempts: number;
    customer_id: string;
    next_action: 'PAY' | 'DELIVER' | null;
    next_action_at: string | null;
    customer_name: string;
    customer_email: string;
    ship_line1: string;
    ship_line2: string | null;
    ship_city: string;
    ship_postal_code: string;
    ship_region: string | null;
    ship_country: string;
    version: number;
    created_at: string;
    updated_at: string;
  };
  items: {
    order_id: string;
    line: number;
    sku: string;
    name: string;
    quantity: number;
    unit_price: number;
  }[];
  history: {
    order_id: string;
    seq: number;
    from_status: string | null;
    to_status: string;
    reason: string | null;
    at: string;
    actor_kind: 'CUSTOMER' | 'ADMIN' | 'SYSTEM' | 'PAYMENT_PROVIDER';
    actor_id: string | null;
  }[];
  /** payments-api's row; its idempotency key is the order id, as orders-api sends it. */
  payment: {
    id: string;
    idempotency_key: string;
    order_id: string;
    status: 'confirmed' | 'declined' | 'refunded';
    amount: number;
    currency: string;
    token_hash: string;
    created_at: string;
    updated_at: string;
    refunded_at: string | null;
  } | null;
}

export interface SeedOptions {
  /** How many orders. */
  orders: number;
  /** Over how many days before `now` they were made. */
  days?: number;
  /** The moment the history ends at. */
  now?: Date;
  /** Seed of the random choices (same seed, same history apart from ids). */
  seed?: number;
  /**
   * Leave the newest orders CREATED (payment due) and CONFIRMED (delivery due), so a started
   * system carries on with them; false for a database nobody pays (the bench).
   */
  pending?: boolean;
}

const DAY_MS = 86_400_000;
const APPROVE = 'tok_approve';
const APPROVE_HASH = createHash('sha256').update(APPROVE).digest('hex');
const DECLINE_HASH = createHash('sha256').update('tok_decline').digest('hex');

/** mulberry32: small, fast, and good enough for made-up data. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Customer {
  id: string;
  name: string;
  email: string;
  place: Place;
  city: Place['cities'][number];
  line1: string;
  line2: string | null;
  postal: string;
}

/**
 * The demo history, oldest order first, in batches: many customers (one in five orders is a
 * new one), each with an address in one of several countries and paying in its currency;
 * one to four lines from the catalogue; every status, with the history rows, actors and
 * payment the running system would have written. Orders are spread over `days` with more of
 * them lately, and about 2% in the last hour, so the dashboard's hour is not empty.
 */
export function* seedOrders(options: SeedOptions, batchSize = 2_000): Generator<SeedOrder[]> {
  const rnd = random(options.seed ?? 13);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)] as T;
  const now = (options.now ?? new Date()).getTime();
  const span = (options.days ?? 30) * DAY_MS;
  const count = options.orders;
  const pending = options.pending ?? true;
  const newest = pending ? Math.max(2, Math.round(count * 0.002)) : 0;
  const world = places(rnd);
  const customers: Customer[] = [];
  const customerCount = Math.max(10, Math.round(count / 5));
  const customerFor = (): Customer => {
    if (customers.length < customerCount && (customers.length === 0 || rnd() < 0.4)) {
      const first = pick(FIRST_NAMES);
      const last = pick(LAST_NAMES);
      const place = pick(world);
      const city = pick(place.cities);
      const n = customers.length + 1;
      const customer: Customer = {
        id: `customer-${String(n).padStart(6, '0')}`,
        name: `${first} ${last}`,
        email: `${ascii(first)}.${ascii(last)}${String(n)}@example.${place.country === 'US' ? 'com' : 'org'}`,
        place,
        city,
        line1: `${pick(place.streets)} ${String(1 + Math.floor(rnd() * 180))}`,
        line2: rnd() < 0.2 ? `Apt ${String(1 + Math.floor(rnd() * 40))}` : null,
        postal: city.postal(),
      };
      customers.push(customer);
      return customer;
    }
    // Returning customers: some order far more often than others.
    return customers[Math.floor(rnd() ** 2 * customers.length)] as Customer;
  };

  let batch: SeedOrder[] = [];
  for (let i = 0; i < count; i++) {
    // 98% over the span (denser lately), 2% in the last hour, oldest first.
    const recent = Math.floor(count * 0.98);
    const createdMs =
      i < recent
        ? now - span + span * Math.sqrt((i + rnd()) / recent) - 3_600_000
        : now - 3_600_000 + (3_600_000 - 5_000) * ((i - recent + rnd()) / (count - recent));
    const fromEnd = count - 1 - i;
    const fate =
      fromEnd < newest ? 'CREATED' : fromEnd < 2 * newest ? 'CONFIRMED' : settledFate(rnd());
    batch.push(makeOrder(customerFor(), Math.min(createdMs, now - 1_000), fate, now, rnd, pick));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

type Fate = 'CREATED' | 'CONFIRMED' | 'DELIVERED' | 'DECLINED' | 'CANCELLED_NEW' | 'REFUNDED';

function settledFate(r: number): Fate {
  if (r < 0.8) return 'DELIVERED';
  if (r < 0.88) return 'DECLINED';
  if (r < 0.93) return 'CANCELLED_NEW';
  return 'REFUNDED';
}

function makeOrder(
  customer: Customer,
  createdMs: number,
  fate: Fate,
  now: number,
  rnd: () => number,
  pick: <T>(list: readonly T[]) => T,
): SeedOrder {
  const id = randomUUID();
  const currency = customer.place.currency;
  const rate = CURRENCY_RATES[currency] ?? 1;
  const lines = 1 + Math.floor(rnd() ** 2 * 4);
  const items: SeedOrder['items'] = [];
  const used = new Set<string>();
  while (items.length < lines) {
    const product = pick(PRODUCTS);
    if (used.has(product.sku)) continue;
    used.add(product.sku);
    items.push({
      order_id: id,
      line: items.length + 1,
      sku: product.sku,
      name: product.name,
      quantity: 1 + Math.floor(rnd() ** 3 * 4),
      unit_price: Math.round(product.priceEur * rate),
    });
  }
  const total = items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0);
  const iso = (ms: number) => new Date(ms).toISOString();
  const history: SeedOrder['history'] = [
    {
      order_id: id,
      seq: 1,
      from_status: null,
      to_status: 'CREATED',
      reason: null,
      at: iso(createdMs),
      actor_kind: 'CUSTOMER',
      actor_id: customer.id,
    },
  ];
  const step = (
    to: string,
    ms: number,
    kind: SeedOrder['history'][number]['actor_kind'],
    actor: string | null,
    reason: string | null = null,
  ) => {
    const last = history[history.length - 1];
    history.push({
      order_id: id,
      seq: history.length + 1,
      from_status: last?.to_status ?? null,
      to_status: to,
      reason,
      at: iso(ms),
      actor_kind: kind,
      actor_id: actor,
    });
  };
  const paidMs = createdMs + 300 + Math.floor(rnd() * 3_000);
  let payment: SeedOrder['payment'] = null;
  const paymentRow = (
    status: 'confirmed' | 'declined' | 'refunded',
    refundedMs: number | null,
  ) => ({
    id: randomUUID(),
    idempotency_key: id,
    order_id: id,
    status,
    amount: total,
    currency,
    token_hash: status === 'declined' ? DECLINE_HASH : APPROVE_HASH,
    created_at: iso(paidMs),
    updated_at: iso(refundedMs ?? paidMs),
    refunded_at: refundedMs === null ? null : iso(refundedMs),
  });
  let cancellation: string | null = null;
  let nextAction: SeedOrder['order']['next_action'] = null;
  let nextActionAt: string | null = null;
  let token: string | null = null;
  switch (fate) {
    case 'CREATED':
      nextAction = 'PAY';
      nextActionAt = iso(createdMs);
      token = APPROVE;
      break;
    case 'CONFIRMED':
      payment = paymentRow('confirmed', null);
      step('CONFIRMED', paidMs, 'PAYMENT_PROVIDER', null);
      nextAction = 'DELIVER';
      nextActionAt = iso(now + Math.floor(rnd() * 120_000));
      break;
    case 'DELIVERED':
      payment = paymentRow('confirmed', null);
      step('CONFIRMED', paidMs, 'PAYMENT_PROVIDER', null);
      step('DELIVERED', Math.min(paidMs + 10_000, now - 1), 'SYSTEM', null);
      break;
    case 'DECLINED':
      payment = paymentRow('declined', null);
      cancellation = 'PAYMENT_DECLINED';
      step('CANCELLED', paidMs, 'PAYMENT_PROVIDER', null, cancellation);
      break;
    case 'CANCELLED_NEW': {
      cancellation = rnd() < 0.5 ? pick(CANCEL_REASONS) : 'CUSTOMER_REQUEST';
      const admin = rnd() < 0.2;
      // Cancelled before the payment was attempted: no money moved, nothing to give back.
      step(
        'CANCELLED',
        createdMs + 200,
        admin ? 'ADMIN' : 'CUSTOMER',
        admin ? 'support-1' : customer.id,
        cancellation,
      );
      break;
    }
    case 'REFUNDED': {
      cancellation = rnd() < 0.5 ? pick(CANCEL_REASONS) : 'CUSTOMER_REQUEST';
      const cancelMs = Math.min(paidMs + 2_000 + Math.floor(rnd() * 5_000), now - 1);
      const admin = rnd() < 0.2;
      step('CONFIRMED', paidMs, 'PAYMENT_PROVIDER', null);
      step(
        'CANCELLED',
        cancelMs,
        admin ? 'ADMIN' : 'CUSTOMER',
        admin ? 'support-1' : customer.id,
        cancellation,
      );
      payment = paymentRow('refunded', cancelMs + 500);
      break;
    }
  }
  const last = history[history.length - 1];
  const status = (last?.to_status ?? 'CREATED') as SeedOrder['order']['status'];
  return {
    order: {
      id,
      status,
      currency,
      total,
      cancellation_reason: cancellation,
      payment_token: token,
      payment_id: payment?.id ?? null,
      payment_attempts: payment === null ? 0 : 1,
      customer_id: customer.id,
      next_action: nextAction,
      next_action_at: nextActionAt,
      customer_name: customer.name,
      customer_email: customer.email,
      ship_line1: customer.line1,
      ship_line2: customer.line2,
      ship_city: customer.city.city,
      ship_postal_code: customer.postal,
      ship_region: customer.city.region,
      ship_country: customer.place.country,
      version: history.length,
      created_at: iso(createdMs),
      updated_at: last?.at ?? iso(createdMs),
    },
    items,
    history,
    payment,
  };
}

/** Names as an email's local part: accents and apostrophes dropped, lower case. */
function ascii(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}
