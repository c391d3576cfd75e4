import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openOrdersDatabase, seed } from '@oms/orders-api/seed';
import postgres from 'postgres';
import { format, resolveConfig } from 'prettier';
import type { BenchSettings } from '../config/bench-settings.js';
import { freePort } from '@oms/testing';
import { summarize, type LatencySummary } from '../stats/percentiles.js';
import { ORDERS_API_DIR } from '../stack/repo-paths.js';
import { ServiceProcess } from '../stack/service-process.js';
import { explainShapes, type ShapePlan } from './search-explain.js';

/** A page of the list as the SPA asks for it. */
const LIST = `query List($first: Int, $after: String, $filter: OrderFilter, $search: String, $orderBy: OrderOrder) {
  orders(first: $first, after: $after, filter: $filter, search: $search, orderBy: $orderBy) {
    edges { cursor node { id number status total currency createdAt customer { name } items { name quantity } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
/** The list as it was before filters, search and sort: newest first, optionally one status. */
const LEGACY_LIST = `query List($first: Int, $after: String, $status: OrderStatus) {
  orders(first: $first, after: $after, status: $status) {
    edges { cursor node { id number status total currency createdAt customer { name } items { name quantity } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const STATS = `query { orderStats { byStatus { status count } revenue { currency amount } createdPerMinute { minute count } } }`;

const PAGE_SIZE = 20;
/** Cursors followed before the deep page is measured. */
const DEEP_PAGES = 50;

interface Shape {
  name: string;
  variables: Record<string, unknown>;
  /** The list query, when not the one with filter, search and sort. */
  query?: string;
}

export interface ShapeResult {
  shape: string;
  page: 'first' | 'deep' | 'single';
  /** Pages followed to reach it (the deep page stops early where the results end). */
  depth: number;
  latencyMs: LatencySummary | null;
  error: string | null;
}

/** The whole list exported as CSV, and what it cost orders-api in memory. */
export interface ExportResult {
  rows: number;
  bytes: number;
  seconds: number;
  rssBeforeMb: number;
  rssPeakMb: number;
  /** Peak less before: the issue's bound is 100 MB. */
  rssGrowthMb: number;
  error: string | null;
}

export interface SearchResult {
  orders: number;
  database: string;
  reusedDatabase: boolean;
  seedSeconds: number | null;
  requestsPerShape: number;
  results: ShapeResult[];
  export: ExportResult;
  plans: ShapePlan[];
}

/**
 * Search scenario: one orders-api process on a database of BENCH_SEARCH_ORDERS orders (made
 * by `pnpm seed`'s generator, kept between runs as BENCH_SEARCH_DATABASE), and for each list
 * shape (each sort and direction, each filter, number and substring searches, all combined, a
 * customer's list) the latency of its first page and of a deep page, one request at a time;
 * plus orderStats. Writes results/search.{json,md}.
 */
export async function runSearchLatency(
  settings: BenchSettings,
  outDir: string,
  log: (line: string) => void,
): Promise<SearchResult> {
  const { url, reused, seedSeconds } = await preparedDatabase(settings, log);
  const port = await freePort();
  const service = await ServiceProcess.start({
    name: 'orders-api (search)',
    packageDir: ORDERS_API_DIR,
    port,
    env: {
      ...settings.baseEnv,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      ORDERS_HOST: '127.0.0.1',
      ORDERS_PORT: String(port),
      ORDERS_DATABASE_URL: url,
      // Nothing is left to pay in this history; nothing answers if something were.
      PAYMENTS_URL: 'http://127.0.0.1:1',
      PAYMENTS_API_TOKEN: 'bench-only-payments-token',
    },
    readyTimeoutMs: 120_000,
  });
  try {
    const endpoint = `${service.baseUrl}/graphql`;
    const samples = await sampleValues(url);
    const results: ShapeResult[] = [];
    for (const shape of shapes(samples)) {
      for (const page of ['first', 'deep'] as const) {
        const result = await measureShape(endpoint, shape, page, settings.searchRequests);
        results.push(result);
        log(
          `search ${shape.name} (${page}${page === 'deep' ? ` ${String(result.depth)}` : ''}): ` +
            (result.error ??
              `p50 ${fmt(result.latencyMs?.p50)} ms, p99 ${fmt(result.latencyMs?.p99)} ms`),
        );
      }
    }
    const stats = await timeRequests(endpoint, { query: STATS }, settings.searchRequests);
    results.push({ shape: 'orderStats', page: 'single', depth: 0, ...stats });
    log(
      `search orderStats: ${stats.error ?? `p50 ${fmt(stats.latencyMs?.p50)} ms, p99 ${fmt(stats.latencyMs?.p99)} ms`}`,
    );
    log('search: EXPLAIN (ANALYZE, BUFFERS) of each shape');
    const plans = await explainShapes(url, shapes(samples), PAGE_SIZE, PAGE_SIZE * DEEP_PAGES);
    const exported = await measureExport(service, log);
    const result: SearchResult = {
      orders: settings.searchOrders,
      database: settings.searchDatabase,
      reusedDatabase: reused,
      seedSeconds,
      requestsPerShape: settings.searchRequests,
      results,
      export: exported,
      plans,
    };
    await writeResults(outDir, result);
    return result;
  } finally {
    await service.stop();
  }
}

/**
 * `GET /orders.csv` of every order, read as fast as it comes, with orders-api's RSS sampled
 * every 100 ms: the export must stream, so RSS may not grow with the row count.
 */
async function measureExport(
  service: ServiceProcess,
  log: (line: string) => void,
): Promise<ExportResult> {
  const mb = (bytes: number) => bytes / 1024 / 1024;
  const before = service.usage()?.rssBytes ?? 0;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, service.usage()?.rssBytes ?? 0);
  }, 100);
  const started = performance.now();
  let rows = 0;
  let bytes = 0;
  let error: string | null = null;
  try {
    const response = await fetch(`${service.baseUrl}/orders.csv`);
    if (!response.ok || response.body === null) {
      error = `HTTP ${String(response.status)}: ${(await response.text()).slice(0, 120)}`;
    } else {
      let lastLog = performance.now();
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        bytes += chunk.byteLength;
        for (const byte of chunk) if (byte === 10) rows += 1;
        if (performance.now() - lastLog > 10_000) {
          lastLog = performance.now();
          log(
            `search: exported ${rows.toLocaleString('en')} rows, RSS peak ${mb(peak).toFixed(0)} MB`,
          );
        }
      }
      rows -= 1; // the header row
    }
  } catch (cause) {
    error = cause instanceof Error ? cause.message : String(cause);
  } finally {
    clearInterval(sampler);
  }
  peak = Math.max(peak, service.usage()?.rssBytes ?? 0);
  const result: ExportResult = {
    rows,
    bytes,
    seconds: (performance.now() - started) / 1000,
    rssBeforeMb: mb(before),
    rssPeakMb: mb(peak),
    rssGrowthMb: mb(peak - before),
    error,
  };
  log(
    `search: export ${error ?? `${rows.toLocaleString('en')} rows in ${result.seconds.toFixed(1)} s, RSS ${result.rssBeforeMb.toFixed(0)} → ${result.rssPeakMb.toFixed(0)} MB (+${result.rssGrowthMb.toFixed(0)})`}`,
  );
  return result;
}

function fmt(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : value.toFixed(1);
}

/** The kept database, seeded now when it is missing, short of orders, or behind the migrations. */
async function preparedDatabase(
  settings: BenchSettings,
  log: (line: string) => void,
): Promise<{ url: string; reused: boolean; seedSeconds: number | null }> {
  const name = settings.searchDatabase;
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`unsafe database name ${name}`);
  const target = new URL(settings.databaseUrl);
  target.pathname = `/${name}`;
  const url = target.toString();
  const admin = postgres(settings.databaseUrl, { max: 1, onnotice: () => undefined });
  try {
    const exists = await admin`select 1 from pg_database where datname = ${name}`;
    if (exists.length > 0) {
      const ready = await isSeeded(url, settings.searchOrders);
      if (ready) {
        log(`search: reusing ${name}`);
        return { url, reused: true, seedSeconds: null };
      }
      log(`search: ${name} is not a complete seed at the current migrations; seeding it again`);
      await admin.unsafe(`drop database ${name} with (force)`);
    }
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const started = Date.now();
  const database = await openOrdersDatabase({ databaseUrl: url, dataDir: 'unused-with-a-url' });
  try {
    let last = 0;
    await seed({ orders: database }, { orders: settings.searchOrders, pending: false }, (p) => {
      if (p.done < p.total && p.elapsedMs - last < 10_000) return;
      last = p.elapsedMs;
      log(`search: seeded ${p.done.toLocaleString('en')} / ${p.total.toLocaleString('en')} orders`);
    });
  } finally {
    await database.close();
  }
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    await sql`create table if not exists search_bench_seed (orders integer not null, migrations integer not null)`;
    const [m] = await sql<
      { n: number }[]
    >`select count(*)::int as n from drizzle.__orders_migrations`;
    await sql`insert into search_bench_seed values (${settings.searchOrders}, ${m?.n ?? 0})`;
  } finally {
    await sql.end();
  }
  return { url, reused: false, seedSeconds: (Date.now() - started) / 1000 };
}

/**
 * Seeded completely (the marker is written last) with every migration there is: a migration
 * added since must run on a fresh seed, since drizzle does not apply one older than the last.
 */
async function isSeeded(url: string, orders: number): Promise<boolean> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [marker] = await sql<{ orders: number; migrations: number }[]>`
      select orders, migrations from search_bench_seed limit 1`.catch(() => []);
    if (marker === undefined || marker.orders !== orders) return false;
    const journal = JSON.parse(
      await readFile(join(ORDERS_API_DIR, 'drizzle/meta/_journal.json'), 'utf8'),
    ) as { entries: unknown[] };
    return marker.migrations === journal.entries.length;
  } finally {
    await sql.end();
  }
}

interface Samples {
  number: number;
  rareText: string;
  customerId: string;
  createdAfter: string;
  createdBefore: string;
}

/** Values the shapes look for, taken from the data: a number, an email, a customer. */
async function sampleValues(url: string): Promise<Samples> {
  const sql = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql<{ number: number; email: string; customer_id: string; at: Date }[]>`
      select number, customer_email as email, customer_id, created_at as at
      from orders where number = (select (min(number) + max(number)) / 2 from orders)`;
    if (row === undefined) throw new Error('the search database has no orders');
    return {
      number: row.number,
      rareText: row.email.split('@')[0] ?? row.email,
      customerId: row.customer_id,
      createdAfter: new Date(row.at.getTime() - 86_400_000).toISOString(),
      createdBefore: row.at.toISOString(),
    };
  } finally {
    await sql.end();
  }
}

function shapes(s: Samples): Shape[] {
  const sorts = ['CREATED_AT', 'UPDATED_AT', 'TOTAL', 'NUMBER'].flatMap((field) =>
    ['ASC', 'DESC'].map((direction) => ({
      name: `sort ${field} ${direction}`,
      variables: { orderBy: { field, direction } },
    })),
  );
  return [
    { name: 'newest first (no arguments)', variables: {}, query: LEGACY_LIST },
    {
      name: 'status: CANCELLED (old argument)',
      variables: { status: 'CANCELLED' },
      query: LEGACY_LIST,
    },
    ...sorts,
    { name: 'status CANCELLED', variables: { filter: { status: ['CANCELLED'] } } },
    {
      name: 'date range (one day)',
      variables: { filter: { createdAfter: s.createdAfter, createdBefore: s.createdBefore } },
    },
    { name: 'total range 50.00–60.00', variables: { filter: { totalMin: 5000, totalMax: 6000 } } },
    { name: 'currency SEK', variables: { filter: { currency: 'SEK' } } },
    { name: `number #${String(s.number)}`, variables: { search: `#${String(s.number)}` } },
    { name: 'common substring "mug"', variables: { search: 'mug' } },
    { name: `rare substring "${s.rareText}"`, variables: { search: s.rareText } },
    {
      name: 'DELIVERED EUR ≥ 20.00, "blue", TOTAL DESC',
      variables: {
        filter: { status: ['DELIVERED'], currency: 'EUR', totalMin: 2000 },
        search: 'blue',
        orderBy: { field: 'TOTAL', direction: 'DESC' },
      },
    },
    { name: "a customer's list", variables: { filter: { customerId: s.customerId } } },
  ];
}

interface ListAnswer {
  data?: { orders: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  errors?: { message: string }[];
}

async function post(endpoint: string, body: unknown): Promise<ListAnswer> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return (await response.json()) as ListAnswer;
}

async function measureShape(
  endpoint: string,
  shape: Shape,
  page: 'first' | 'deep',
  requests: number,
): Promise<ShapeResult> {
  const query = shape.query ?? LIST;
  let variables: Record<string, unknown> = { ...shape.variables, first: PAGE_SIZE };
  let depth = 0;
  if (page === 'deep') {
    for (; depth < DEEP_PAGES; depth++) {
      const answer = await post(endpoint, { query, variables });
      if (answer.errors !== undefined || answer.data === undefined) {
        return { shape: shape.name, page, depth, latencyMs: null, error: message(answer) };
      }
      const info = answer.data.orders.pageInfo;
      if (!info.hasNextPage || info.endCursor === null) break;
      variables = { ...variables, after: info.endCursor };
    }
  }
  const timed = await timeRequests(endpoint, { query, variables }, requests);
  return { shape: shape.name, page, depth, ...timed };
}

/** `requests` identical requests one after another, after five not counted. */
async function timeRequests(
  endpoint: string,
  body: unknown,
  requests: number,
): Promise<{ latencyMs: LatencySummary | null; error: string | null }> {
  const first = await post(endpoint, body);
  if (first.errors !== undefined) return { latencyMs: null, error: message(first) };
  for (let i = 0; i < 4; i++) await post(endpoint, body);
  const times: number[] = [];
  for (let i = 0; i < requests; i++) {
    const started = performance.now();
    const answer = await post(endpoint, body);
    times.push(performance.now() - started);
    if (answer.errors !== undefined) return { latencyMs: null, error: message(answer) };
  }
  return { latencyMs: summarize(times), error: null };
}

function message(answer: ListAnswer): string {
  // The first error says enough (an API without filters answers one per unknown name).
  return (answer.errors?.[0]?.message ?? 'no data')
    .replace(/ \[Suggestion hidden\]\?/g, '')
    .slice(0, 120);
}

async function writeResults(outDir: string, result: SearchResult): Promise<void> {
  const lines = [
    '# Search and orderStats latency',
    '',
    `${result.orders.toLocaleString('en')} orders (database \`${result.database}\`, ${result.reusedDatabase ? 'reused' : `seeded in ${fmt(result.seedSeconds)} s`}); one orders-api process; ${String(result.requestsPerShape)} requests per shape, one at a time; pages of ${String(PAGE_SIZE)}; the deep page after following up to ${String(DEEP_PAGES)} cursors.`,
    '',
    '| Shape | Page | Depth | p50 ms | p99 ms | max ms | ≤ 50 ms p99 |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...result.results.map((r) =>
      r.error === null
        ? `| ${r.shape} | ${r.page} | ${String(r.depth)} | ${fmt(r.latencyMs?.p50)} | ${fmt(r.latencyMs?.p99)} | ${fmt(r.latencyMs?.max)} | ${(r.latencyMs?.p99 ?? Infinity) <= 50 ? 'yes' : 'no'} |`
        : `| ${r.shape} | ${r.page} | ${String(r.depth)} | – | – | – | error: ${r.error.replace(/\|/g, '\\|')} |`,
    ),
    '',
    '## CSV export',
    '',
    result.export.error === null
      ? `\`GET /orders.csv\` of every order: ${result.export.rows.toLocaleString('en')} rows (${fmt(result.export.bytes / 1024 / 1024)} MB) in ${fmt(result.export.seconds)} s; orders-api's RSS ${fmt(result.export.rssBeforeMb)} MB before, ${fmt(result.export.rssPeakMb)} MB at most during it (+${fmt(result.export.rssGrowthMb)} MB; the bound is +100 MB).`
      : `\`GET /orders.csv\` failed: ${result.export.error}`,
    '',
  ];
  const explained = [
    '# EXPLAIN (ANALYZE, BUFFERS) of each search shape',
    '',
    `orders-api's own page statement (\`pageStatement\`, items and history included) for each shape, as an admin, on the same ${result.orders.toLocaleString('en')} orders, right after the latency run; the deep page starts after row ${String(PAGE_SIZE * DEEP_PAGES)} of the shape (keyset). The nodes column lists the outer statement's scans and sorts; the items and history subplans are the same primary-key lookups for every shape.`,
    '',
    '| Shape | Page | Nodes | Execution ms |',
    '| --- | --- | --- | --- |',
    ...result.plans.map(
      (p) =>
        `| ${p.shape} | ${p.page} | ${p.nodes.map((n) => `\`${n.replace(/\|/g, '\\|')}\``).join('<br>')} | ${fmt(p.executionMs)} |`,
    ),
    '',
    ...result.plans.flatMap((p) => [
      `<details><summary>${p.shape}, ${p.page} page</summary>`,
      '',
      '```text',
      p.plan,
      '```',
      '',
      '</details>',
      '',
    ]),
  ];
  for (const [file, text] of [
    ['search.json', JSON.stringify(result)],
    ['search.md', lines.join('\n')],
    ['search-explain.md', explained.join('\n')],
  ] as const) {
    const path = join(outDir, file);
    const options = (await resolveConfig(path)) ?? {};
    await writeFile(path, await format(text, { ...options, filepath: path }));
  }
}
