import type { OrderStatus } from '@oms/order-lifecycle';
import type { OrderStatsFigures, OrderStatsStore } from '../domain/order-stats.service.js';
import { toDate, type SqlClient } from './sql.js';

/**
 * Every order's figures come from counters the database keeps (migration 0007: a trigger on
 * order_transitions), a few dozen rows whatever the number of orders; the shards are summed here.
 */
const ALL_TOTALS = `
  select status, currency, sum(count)::text as count, sum(amount)::text as amount
  from order_stats_totals group by status, currency`;
const ALL_MINUTES = `
  select minute, sum(count)::text as count,
         date_trunc('minute', now()) as current_minute
  from order_stats_minutes
  where minute > date_trunc('minute', now()) - make_interval(mins => $1::int)
  group by minute
  union all
  select null, null, date_trunc('minute', now())`;

/** One customer's figures from their own rows (orders_customer_stats_idx covers both reads). */
const CUSTOMER_TOTALS = `
  select status, currency, count(*)::text as count, sum(total)::text as amount
  from orders where customer_id = $1::text group by status, currency`;
const CUSTOMER_MINUTES = `
  select date_trunc('minute', created_at) as minute, count(*)::text as count,
         date_trunc('minute', now()) as current_minute
  from orders
  where customer_id = $2::text
    and created_at >= date_trunc('minute', now()) - make_interval(mins => $1::int - 1)
  group by 1
  union all
  select null, null, date_trunc('minute', now())`;

interface TotalRow {
  status: OrderStatus;
  currency: string;
  count: string;
  amount: string;
}
interface MinuteRow {
  minute: Date | string | null;
  count: string | null;
  current_minute: Date | string;
}

export class SqlOrderStats implements OrderStatsStore {
  constructor(private readonly db: SqlClient) {}

  async read(customerId: string | null, minutesBack: number): Promise<OrderStatsFigures> {
    const [totals, minutes] = await Promise.all([
      customerId === null
        ? this.db.query<TotalRow>(ALL_TOTALS, [])
        : this.db.query<TotalRow>(CUSTOMER_TOTALS, [customerId]),
      customerId === null
        ? this.db.query<MinuteRow>(ALL_MINUTES, [minutesBack])
        : this.db.query<MinuteRow>(CUSTOMER_MINUTES, [minutesBack, customerId]),
    ]);
    const current = minutes.find((m) => m.minute === null) ?? minutes[0];
    return {
      totals: totals.map((t) => ({
        status: t.status,
        currency: t.currency,
        count: Number(t.count),
        amount: Number(t.amount),
      })),
      minutes: minutes.flatMap((m) =>
        m.minute === null || m.count === null
          ? []
          : [{ minute: toDate(m.minute), count: Number(m.count) }],
      ),
      currentMinute: toDate(current?.current_minute ?? new Date()),
    };
  }
}
