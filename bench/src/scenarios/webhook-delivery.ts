import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BenchSettings } from '../config/bench-settings.js';
import { graphqlUrl, queryGraphQL } from '../stack/bench-stack.js';
import { summarize, type LatencySummary } from '../stats/percentiles.js';
import { readBackSince, runLoadStep, type LifecycleTarget } from './lifecycle-throughput.js';

/** How long, after the orders have settled, every webhook may take to arrive. */
const SETTLE_TIMEOUT_MS = 60_000;

export interface WebhooksResult {
  /** createOrder rate offered while the endpoint received. */
  rate: number;
  orders: number;
  /** Transitions of those orders: the webhooks expected. */
  events: number;
  /** From each transition (its time in the database) to the receiver reading the request. */
  lagMs: LatencySummary;
  /** For comparison: from each order's creation to its final state, over the same orders. */
  lifecycleLagMs: LatencySummary;
  received: number;
  /** Events that never arrived (within the settle timeout). */
  missed: number;
  /** Requests beyond the first for an event (at least once allows them; none is expected here). */
  duplicated: number;
  /** Events that arrived before an earlier version of the same order. */
  outOfOrder: number;
  cpu: { ordersApi: number; database: number | null };
}

interface Receipt {
  orderId: string;
  version: number;
  lagMs: number;
  receivedAt: number;
}

/**
 * Webhook delivery under the lifecycle's load: one endpoint, a receiver in this process that
 * answers 200 at once, createOrder at `rate` for the warm-up and measured window. Every
 * transition of every order of the step must arrive once, each order's in version order.
 */
export async function runWebhookDelivery(
  settings: BenchSettings,
  target: LifecycleTarget,
  rate: number,
  log: (line: string) => void,
): Promise<WebhooksResult> {
  const receipts: Receipt[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const receivedAt = Date.now();
      res.writeHead(200).end();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        data: { orderId: string; version: number; at: string };
      };
      receipts.push({
        orderId: body.data.orderId,
        version: body.data.version,
        lagMs: receivedAt - Date.parse(body.data.at),
        receivedAt,
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = graphqlUrl(target.orders);
  try {
    const { port } = server.address() as AddressInfo;
    await queryGraphQL(
      url,
      `mutation($input: WebhookEndpointInput!) { createWebhookEndpoint(input: $input) { endpoint { id } } }`,
      { input: { url: `http://127.0.0.1:${String(port)}/hooks`, description: 'bench' } },
    );
    const since = Date.now();
    const { step } = await runLoadStep(settings, target, rate);
    const orders = await readBackSince(url, since);
    const expected = new Map<string, number>(orders.map((o) => [o.id, o.history.length]));
    const events = orders.reduce((sum, o) => sum + o.history.length, 0);
    const arrived = () => new Set(receipts.map((r) => `${r.orderId}/${String(r.version)}`)).size;
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while (Date.now() < deadline && countExpected(receipts, expected) < events) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const mine = receipts.filter((r) => expected.has(r.orderId));
    const seen = new Set<string>();
    const lastVersion = new Map<string, number>();
    let duplicated = 0;
    let outOfOrder = 0;
    const lags: number[] = [];
    for (const receipt of mine) {
      const key = `${receipt.orderId}/${String(receipt.version)}`;
      if (seen.has(key)) {
        duplicated++;
        continue;
      }
      seen.add(key);
      lags.push(receipt.lagMs);
      if (receipt.version < (lastVersion.get(receipt.orderId) ?? 0)) outOfOrder++;
      lastVersion.set(
        receipt.orderId,
        Math.max(receipt.version, lastVersion.get(receipt.orderId) ?? 0),
      );
    }
    const missed = events - countExpected(receipts, expected);
    log(
      `webhooks: ${String(arrived())} events arrived of ${String(events)}; lag p50 ` +
        `${String(summarize(lags).p50)} ms (lifecycle p50 ${String(step.lagMs.p50)} ms); missed ${String(missed)}, ` +
        `out of order ${String(outOfOrder)}, duplicated ${String(duplicated)}`,
    );
    return {
      rate,
      orders: orders.length,
      events,
      lagMs: summarize(lags),
      lifecycleLagMs: step.lagMs,
      received: mine.length,
      missed,
      duplicated,
      outOfOrder,
      cpu: { ordersApi: step.cpu.ordersApi, database: step.cpu.database },
    };
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  }
}

/** How many of the expected (order, version) pairs have arrived. */
function countExpected(
  receipts: readonly Receipt[],
  expected: ReadonlyMap<string, number>,
): number {
  const seen = new Set<string>();
  for (const r of receipts) {
    const versions = expected.get(r.orderId);
    if (versions !== undefined && r.version >= 1 && r.version <= versions) {
      seen.add(`${r.orderId}/${String(r.version)}`);
    }
  }
  return seen.size;
}
