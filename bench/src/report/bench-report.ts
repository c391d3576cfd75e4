import type { MachineInfo } from '../machine/machine-info.js';
import type { LifecycleResult, LifecycleStep } from '../scenarios/lifecycle-throughput.js';
import type { PgbenchResult } from '../scenarios/pgbench-reference.js';
import type { QueryResult } from '../scenarios/query-throughput.js';
import type { FanoutResult, FanoutStep } from '../scenarios/subscription-fanout.js';
import type { LatencySummary } from '../stats/percentiles.js';

/** The issue's targets; the benchmark reports against them, nothing fails on them. */
export const TARGETS = {
  lifecycleRatio: 1.0,
  createP99Ms: 20,
  createP99AtRate: 300,
  queryRatio: 0.6,
  fanoutSubscribers: 10_000,
  fanoutP99Ms: 100,
  fanoutBytesPerConnection: 50_000,
} as const;

/** Everything one run measured, as written to results/latest.json. */
export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  elapsedS: number;
  machine: MachineInfo;
  settings: Record<string, unknown>;
  pgbench: PgbenchResult | null;
  lifecycle: LifecycleResult | null;
  query: QueryResult | null;
  fanout: FanoutResult | null;
  pglite: LifecycleResult | null;
  errors: { scenario: string; message: string }[];
  summary: SummaryRow[];
}

/** One line of the table `pnpm bench` prints. */
export interface SummaryRow {
  id: string;
  scenario: string;
  result: string;
  /** The result against the reference or the framework's ceiling. */
  ratio: string;
  target: string;
  /** met, missed, or – when there is no target. */
  status: string;
  generatorCpu: string;
}

const num = (value: number | null | undefined, digits = 0): string =>
  value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
const ms = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : num(value, value < 10 ? 1 : 0);
const latencies = (summary: LatencySummary): string =>
  `${ms(summary.p50)} / ${ms(summary.p95)} / ${ms(summary.p99)} ms`;
const pct = (value: number): string => num(value) + ' %';
const verdict = (met: boolean | null): string => (met === null ? '–' : met ? 'met' : 'missed');

function stepAt(result: LifecycleResult | null, rate: number): LifecycleStep | null {
  return result?.steps.find((step) => step.rate === rate) ?? null;
}

function lifecycleRows(
  id: string,
  label: string,
  result: LifecycleResult | null,
  reference: number | null,
  target: boolean,
): SummaryRow {
  const best = result?.best ?? null;
  const ratio = best !== null && reference !== null ? best.completedPerSecond / reference : null;
  return {
    id,
    scenario: label,
    result:
      result === null
        ? 'not run'
        : best === null
          ? `no rate held (lowest tried: ${result.steps[0]?.rate ?? '–'}/s)`
          : `${num(best.completedPerSecond)} orders/s completed at ${num(best.rate)}/s offered; ` +
            `lifecycle p99 ${ms(best.lagMs.p99)} ms; lost ${best.unfinished + best.missing}, bad histories ${best.badHistory}` +
            (result.stoppedByBudget ? ' (time budget reached before a rate failed)' : ''),
    ratio: ratio === null ? '–' : `${num(ratio, 2)} × (1)`,
    target: target ? `≥ ${num(TARGETS.lifecycleRatio, 1)} × (1), nothing lost` : '–',
    status: target ? verdict(ratio === null ? false : ratio >= TARGETS.lifecycleRatio) : '–',
    generatorCpu: best === null ? '–' : pct(best.cpu.generator),
  };
}

function fanoutRow(step: FanoutStep): SummaryRow {
  const targeted = step.subscribers === TARGETS.fanoutSubscribers;
  const met =
    step.processes === 1 &&
    step.complete &&
    (step.latencyMs.p99 ?? Infinity) <= TARGETS.fanoutP99Ms &&
    step.rssPerConnectionBytes <= TARGETS.fanoutBytesPerConnection;
  return {
    id: '5',
    scenario: `Fan-out, ${num(step.subscribers)} subscribers (${step.firehose} on all orders)${
      step.processes > 1 ? `, ${step.processes} processes` : ''
    }`,
    result:
      `${num(step.deliveredPerSecond)} events/s; event→client p50 ${ms(step.latencyMs.p50)} / p99 ` +
      `${ms(step.latencyMs.p99)} ms; ${num(step.rssPerConnectionBytes / 1000, 1)} kB RSS/connection; ` +
      `missed ${step.missed}, duplicated ${step.duplicated}, connected ${num(step.connected)}`,
    ratio: '–',
    target: targeted
      ? `1 process, p99 ≤ ${TARGETS.fanoutP99Ms} ms, ≤ ${TARGETS.fanoutBytesPerConnection / 1000} kB/conn, none missed`
      : '–',
    status: targeted ? verdict(met) : '–',
    generatorCpu: pct(step.cpu.generator),
  };
}

/** The one table: every scenario, its figure, its ratio and where it stands against its target. */
export function buildSummary(report: Omit<BenchReport, 'summary'>): SummaryRow[] {
  const rows: SummaryRow[] = [];
  const reference = report.pgbench?.best?.tps ?? null;
  rows.push({
    id: '1',
    scenario: 'Reference: pgbench, the lifecycle SQL one order at a time',
    result:
      report.pgbench === null
        ? 'not run'
        : (report.pgbench.skipped ??
          `${num(reference)} lifecycles/s (best of ${report.pgbench.runs
            .map((r) => `${r.clients} clients: ${num(r.tps)}`)
            .join(', ')}); check ${report.pgbench.check.ok ? 'ok' : 'FAILED'}`),
    ratio: reference === null ? '–' : '1.00 × (1)',
    target: '–',
    status: '–',
    generatorCpu: report.pgbench?.best ? pct(report.pgbench.best.generatorCpuPercent) : '–',
  });
  rows.push(
    lifecycleRows('2', 'Lifecycle throughput, PostgreSQL', report.lifecycle, reference, true),
  );
  const highest = report.lifecycle?.best ?? null;
  for (const [label, step] of [
    ['100/s', stepAt(report.lifecycle, 100)],
    [`${TARGETS.createP99AtRate}/s`, stepAt(report.lifecycle, TARGETS.createP99AtRate)],
    [`highest held, ${num(highest?.rate)}/s`, highest],
  ] as const) {
    const targeted = label === `${TARGETS.createP99AtRate}/s`;
    rows.push({
      id: '3',
      scenario: `createOrder latency at ${label}`,
      result: step === null ? 'not reached' : `p50 / p95 / p99 ${latencies(step.createLatencyMs)}`,
      ratio: '–',
      target: targeted ? `p99 ≤ ${TARGETS.createP99Ms} ms` : '–',
      status: targeted
        ? verdict(
            step === null ? false : (step.createLatencyMs.p99 ?? Infinity) <= TARGETS.createP99Ms,
          )
        : '–',
      generatorCpu: step === null ? '–' : pct(step.cpu.generator),
    });
  }
  const query = report.query;
  rows.push({
    id: '4',
    scenario: `order(id) on one process (${query?.connections ?? '–'} connections)`,
    result:
      query === null
        ? 'not run'
        : `${num(query.order.requestsPerSecond)} req/s (p99 ${ms(query.order.latencyP99Ms)} ms); ` +
          `{ __typename }: ${num(query.trivial.requestsPerSecond)} req/s`,
    ratio: query === null ? '–' : `${num(query.ratio * 100)} % of { __typename }`,
    target: `≥ ${TARGETS.queryRatio * 100} % of { __typename }`,
    status: verdict(query === null ? false : query.ratio >= TARGETS.queryRatio),
    generatorCpu:
      query === null
        ? '–'
        : pct(
            query.order.cpu.wallMs > 0
              ? (100 * (query.order.cpu.userMs + query.order.cpu.systemMs)) / query.order.cpu.wallMs
              : 0,
          ),
  });
  if (report.fanout === null) {
    rows.push({
      id: '5',
      scenario: 'Subscription fan-out',
      result: 'not run',
      ratio: '–',
      target: '–',
      status: 'missed',
      generatorCpu: '–',
    });
  } else {
    rows.push(...report.fanout.steps.map(fanoutRow));
  }
  const pglite = lifecycleRows(
    '6',
    'Lifecycle throughput, embedded PGlite',
    report.pglite,
    reference,
    false,
  );
  const postgresBest = report.lifecycle?.best?.completedPerSecond ?? null;
  const pgliteBest = report.pglite?.best?.completedPerSecond ?? null;
  if (postgresBest !== null && pgliteBest !== null && pglite.ratio !== '–') {
    pglite.ratio += `; ${num(pgliteBest / postgresBest, 2)} × (2)`;
  }
  rows.push(pglite);
  return rows;
}

const COLUMNS: { key: keyof SummaryRow; title: string }[] = [
  { key: 'id', title: '#' },
  { key: 'scenario', title: 'Scenario' },
  { key: 'result', title: 'Result' },
  { key: 'ratio', title: 'Ratio' },
  { key: 'target', title: 'Target' },
  { key: 'status', title: 'Status' },
  { key: 'generatorCpu', title: 'Load generator CPU' },
];

/** The summary as a plain-text table for the terminal. */
export function renderText(rows: readonly SummaryRow[]): string {
  const widths = COLUMNS.map(({ key, title }) =>
    Math.max(title.length, ...rows.map((row) => row[key].length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join(' │ ')
      .trimEnd();
  return [
    line(COLUMNS.map((c) => c.title)),
    widths.map((w) => '─'.repeat(w)).join('─┼─'),
    ...rows.map((row) => line(COLUMNS.map((c) => row[c.key]))),
  ].join('\n');
}

function markdownTable(header: string[], body: string[][]): string {
  const escape = (cell: string) => cell.replaceAll('|', '\\|');
  return [
    `| ${header.map(escape).join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...body.map((row) => `| ${row.map(escape).join(' | ')} |`),
  ].join('\n');
}

function lifecycleTable(result: LifecycleResult): string {
  return markdownTable(
    [
      'Offered /s',
      'Created /s',
      'Completed /s',
      'createOrder p50 / p95 / p99',
      'Lifecycle p50 / p99',
      'Lost',
      'Bad histories',
      'Failed requests',
      'CPU orders-api / payments-api / database / generator',
      'Held',
    ],
    result.steps.map((s) => [
      num(s.rate),
      num(s.createdPerSecond),
      num(s.completedPerSecond),
      latencies(s.createLatencyMs),
      `${ms(s.lagMs.p50)} / ${ms(s.lagMs.p99)} ms`,
      num(s.unfinished + s.missing),
      num(s.badHistory),
      num(s.failedRequests),
      `${pct(s.cpu.ordersApi)} / ${pct(s.cpu.paymentsApi)} / ${s.cpu.database === null ? 'in-process' : pct(s.cpu.database)} / ${pct(s.cpu.generator)}`,
      s.held ? 'yes' : `no: ${s.shortfalls.join('; ')}`,
    ]),
  );
}

/** The whole run as Markdown: machine, summary, then each scenario's own figures. */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const busy =
    (m.busyBeforeStartPercent ?? 0) > 10 || (m.loadAtStart[0] ?? 0) > m.cores / 4
      ? `**The machine was busy with other work during this run** (load average ${m.loadAtStart.join(', ')} at the start, ${m.loadAtEnd.join(', ')} at the end; ${m.busyBeforeStartPercent ?? '?'} % of the CPUs busy in the second before it started), so these figures are lower than an idle machine would give.`
      : `The machine was otherwise idle (load average ${m.loadAtStart.join(', ')} at the start).`;
  const parts: string[] = [
    '# Benchmark results',
    '',
    `Run of ${report.startedAt}, ${num(report.elapsedS)} s. Produced by \`pnpm bench\`; see [bench/README.md](../README.md) for what each figure means.`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}; ${m.postgres}; open-files limit ${m.openFilesLimit ?? 'unknown'}. Commit measured: ${m.commit}.`,
    '',
    busy,
    '',
    '## Summary',
    '',
    markdownTable(
      COLUMNS.map((c) => c.title),
      report.summary.map((row) => COLUMNS.map((c) => row[c.key])),
    ),
  ];
  if (report.errors.length > 0) {
    parts.push('', '## Errors', '', ...report.errors.map((e) => `- ${e.scenario}: ${e.message}`));
  }
  if (report.pgbench !== null && report.pgbench.runs.length > 0) {
    parts.push(
      '',
      '## 1. pgbench reference',
      '',
      `${report.pgbench.version ?? ''}, \`-M extended\`, script \`bench/sql/order-lifecycle.pgbench.sql\`. After the runs: ${report.pgbench.check.orders} orders, ${report.pgbench.check.delivered} delivered, ${report.pgbench.check.transitions} history rows, ${report.pgbench.check.payments} payments.`,
      '',
      markdownTable(
        ['Clients', 'Lifecycles/s', 'Latency avg', 'Failed', 'pgbench CPU'],
        report.pgbench.runs.map((r) => [
          num(r.clients),
          num(r.tps),
          `${ms(r.latencyAvgMs)} ms`,
          num(r.failed),
          pct(r.generatorCpuPercent),
        ]),
      ),
    );
  }
  if (report.lifecycle !== null) {
    parts.push(
      '',
      '## 2–3. Lifecycle on PostgreSQL, rising rates',
      '',
      lifecycleTable(report.lifecycle),
    );
  }
  if (report.query !== null) {
    const q = report.query;
    parts.push(
      '',
      '## 4. Query throughput, one orders-api process',
      '',
      markdownTable(
        [
          'Query',
          'Requests/s',
          'p50 / p99',
          'Errors / mismatches',
          'orders-api CPU',
          'autocannon CPU',
        ],
        (
          [
            ['order(id) with items and history', q.order],
            ['{ __typename }', q.trivial],
          ] as const
        ).map(([name, run]) => [
          name,
          num(run.requestsPerSecond),
          `${ms(run.latencyP50Ms)} / ${ms(run.latencyP99Ms)} ms`,
          `${run.errors + run.non2xx} / ${run.mismatches}`,
          pct(run.serverCpuPercent),
          pct(
            run.cpu.wallMs > 0 ? (100 * (run.cpu.userMs + run.cpu.systemMs)) / run.cpu.wallMs : 0,
          ),
        ]),
      ),
    );
  }
  if (report.fanout !== null) {
    parts.push(
      '',
      '## 5. Subscription fan-out',
      '',
      markdownTable(
        [
          'Subscribers',
          'Processes',
          'Connect',
          'Events/s',
          'Event→client p50 / p95 / p99',
          'RSS before → loaded',
          'RSS/connection',
          'Missed / duplicated / broken',
          'CPU orders-api / generators',
        ],
        report.fanout.steps.map((s) => [
          `${num(s.subscribers)} (${s.firehose} on all)`,
          num(s.processes),
          `${num(s.connected)} in ${num(s.connectSeconds, 1)} s`,
          `${num(s.deliveredPerSecond)} (${num(s.eventRate)} cancels/s)`,
          latencies(s.latencyMs),
          `${num(s.rssBaselineBytes / 1e6)} → ${num(s.rssLoadedBytes / 1e6)} MB`,
          `${num(s.rssPerConnectionBytes / 1000, 1)} kB`,
          `${s.missed} / ${s.duplicated} / ${s.broken}`,
          `${pct(s.cpu.ordersApi)} / ${pct(s.cpu.generator)}`,
        ]),
      ),
    );
  }
  if (report.pglite !== null) {
    parts.push(
      '',
      '## 6. Lifecycle on embedded PGlite, rising rates',
      '',
      lifecycleTable(report.pglite),
    );
  }
  parts.push('', '## Settings', '', '```json', JSON.stringify(report.settings, null, 2), '```', '');
  return parts.join('\n');
}
