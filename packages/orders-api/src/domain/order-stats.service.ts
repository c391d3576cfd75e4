import { ORDER_STATUSES, REVENUE_STATUSES, type OrderStatus } from '@oms/order-lifecycle';
import type { Principal } from './principal.js';

/** Orders and their totals in one status and currency. */
export interface StatusCurrencyTotal {
  status: OrderStatus;
  currency: string;
  count: number;
  amount: number;
}

/** What the store reads: totals per status and currency, and creations per minute. */
export interface OrderStatsFigures {
  totals: StatusCurrencyTotal[];
  /** Creations per minute (start of the minute), only minutes that had any. */
  minutes: { minute: Date; count: number }[];
  /** The start of the current minute, by the database's clock (shared by every process). */
  currentMinute: Date;
}

export interface OrderStatsStore {
  /** Figures over every order (`customerId` null) or one customer's, minutes from `minutesBack` ago. */
  read(customerId: string | null, minutesBack: number): Promise<OrderStatsFigures>;
}

export interface OrderStatsView {
  byStatus: { status: OrderStatus; count: number }[];
  revenue: { currency: string; amount: number }[];
  createdPerMinute: { minute: Date; count: number }[];
}

/** How many minutes `createdPerMinute` covers, the current one included. */
export const STATS_MINUTES = 60;
const MINUTE_MS = 60_000;

/**
 * The dashboard's figures. Which statuses count as revenue is the lifecycle's rule, applied
 * here to per-status totals, so the database keeps no copy of it.
 */
export class OrderStatsService {
  constructor(private readonly store: OrderStatsStore) {}

  async stats(principal: Principal): Promise<OrderStatsView> {
    // An admin (every order) reads counters; a customer reads their own rows.
    const figures = await this.store.read(
      principal.admin ? null : principal.customerId,
      STATS_MINUTES,
    );
    return summarize(figures);
  }
}

/** Every status and each of the last 60 minutes present, zeros included; revenue by currency. */
export function summarize(figures: OrderStatsFigures): OrderStatsView {
  const counts = new Map<OrderStatus, number>();
  const revenue = new Map<string, number>();
  for (const t of figures.totals) {
    counts.set(t.status, (counts.get(t.status) ?? 0) + t.count);
    if (REVENUE_STATUSES.includes(t.status)) {
      revenue.set(t.currency, (revenue.get(t.currency) ?? 0) + t.amount);
    }
  }
  const perMinute = new Map(figures.minutes.map((m) => [m.minute.getTime(), m.count]));
  const last = figures.currentMinute.getTime();
  const createdPerMinute = Array.from({ length: STATS_MINUTES }, (_, i) => {
    const at = last - (STATS_MINUTES - 1 - i) * MINUTE_MS;
    return { minute: new Date(at), count: perMinute.get(at) ?? 0 };
  });
  return {
    byStatus: ORDER_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 })),
    revenue: [...revenue]
      .filter(([, amount]) => amount !== 0)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([currency, amount]) => ({ currency, amount })),
    createdPerMinute,
  };
}
