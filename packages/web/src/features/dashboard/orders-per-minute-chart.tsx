import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { MinuteBar } from './orders-per-minute.js';

/**
 * The bar chart of orders per minute. Loaded lazily (recharts is most of its weight), so the
 * landing page's first download stays within the initial-JS budget. Decorative for screen
 * readers: the dashboard gives the same figures as text and as a table.
 */
export default function OrdersPerMinuteChart({ bars }: { bars: MinuteBar[] }) {
  return (
    <div className="chart" aria-hidden="true">
      <ResponsiveContainer width="100%" height={220}>
        <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 0, left: -16 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="label" interval={14} tickLine={false} />
          <YAxis allowDecimals={false} width={40} />
          <Tooltip formatter={(value) => [value, 'Orders']} />
          <Bar dataKey="count" name="Orders" fill="#2f5bd3" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}
