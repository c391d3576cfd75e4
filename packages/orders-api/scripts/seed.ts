// `pnpm seed [--orders N] [--days D]`: fills the databases `pnpm start` uses (the same settings:
// ORDERS_DATABASE_URL or the embedded one in ORDERS_DATA_DIR, and payments-api's) with a demo
// history. Stop the services first when they use the embedded databases.
import { parseArgs } from 'node:util';
import { loadSettings as loadPaymentsSettings } from '@oms/payments-api/settings';
import { loadSettings } from '../src/config/settings.js';
import { seedDatabases } from '../src/seed/seed-databases.js';

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '5000' },
    days: { type: 'string', default: '30' },
  },
});
const orders = Number(values.orders);
const days = Number(values.days);
if (!Number.isInteger(orders) || orders < 1) throw new Error('--orders must be a positive integer');
if (!Number.isFinite(days) || days <= 0) throw new Error('--days must be a positive number');

const ordersSettings = loadSettings(process.env);
const paymentsSettings = loadPaymentsSettings(process.env);
const where = (s: { databaseUrl?: string | undefined; dataDir: string }) =>
  s.databaseUrl === undefined ? s.dataDir : s.databaseUrl.replace(/\/\/[^@/]*@/, '//…@');
console.log(
  `seeding ${orders.toLocaleString('en')} orders over ${String(days)} days into ${where(ordersSettings)} (payments: ${where(paymentsSettings)})`,
);
let lastPrint = 0;
const result = await seedDatabases(
  ordersSettings,
  paymentsSettings,
  { orders, days },
  ({ done, total, elapsedMs }) => {
    if (done < total && elapsedMs - lastPrint < 1_000) return;
    lastPrint = elapsedMs;
    const rate = Math.round(done / Math.max(elapsedMs / 1000, 0.001));
    console.log(
      `  ${done.toLocaleString('en')} / ${total.toLocaleString('en')} orders (${(elapsedMs / 1000).toFixed(1)} s, ${rate.toLocaleString('en')}/s)`,
    );
  },
);
console.log(`done: ${result.orders.toLocaleString('en')} orders`);
