import { machineWasBusy, type MachineInfo } from '../machine/machine-info.js';
import type { LifecycleResult, LifecycleStep } from '../scenarios/lifecycle-throughput.js';
import type { OverloadResult, OverloadStep } from '../scenarios/overload.js';
import type { PgbenchResult } from '../scenarios/pgbench-reference.js';
import type { QueryResult } from '../scenarios/query-throughput.js';
import type { ResumeResult } from '../scenarios/resumable-stream.js';
import type { RestartResult } from '../scenarios/restart-time.js';
import type { FanoutResult, FanoutStep } from '../scenarios/subscription-fanout.js';
import type { WebhooksResult } from '../scenarios/webhook-delivery.js';
import * as fmt from './format.js';
import {
  TARGETS,
  damage,
  fanoutChecks,
  lifecycleCheck,
  overallStatus,
  overloadChecks,
  queryCheck,
  resumeCheck,
  createLatencyCheck,
  targetedFanoutStep,
  type TargetCheck,
} from './targets.js';

export { TARGETS } from './targets.js';

/** Everything one run measured, as written to results/latest.json. */
export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  elapsedS: number;
  machine: MachineInfo;
  settings: Record<string, unknown>;
  pgbench: PgbenchResult | null;
  lifecycle: LifecycleResult | null;
  overload: OverloadResult | null;
  restart: RestartResult | null;
  query: QueryResult | null;
  fanout: FanoutResult | null;
  resume: ResumeResult | null;
  pglite: LifecycleResult | null;
  /** Absent in reports written before the webhooks scenario existed. */
  webhooks?: WebhooksResult | null;
  errors: { scenario: string; message: string }[];
  /** Every target of the throughput issue, met, missed or not measured. */
  targets: TargetCheck[];
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
  /** met, missed, not measured, or – when there is no target. */
  status: string;
  generatorCpu: string;
}

const { num, ms, pct, latencies } = fmt;

/** Generator CPU as the table shows it: share of a core, and per request when known. */
const generatorCell = (percent: number, microsPerRequest?: number): string =>
  microsPerRequest === undefined || microsPerRequest === 0
    ? pct(percent)
    : `${pct(percent)} (${num(microsPerRequest)} µs/req)`;

function stepAt(result: LifecycleResult | null, rate: number): LifecycleStep | null {
  return result?.steps.find((step) => step.rate === rate) ?? null;
}

function lifecycleRow(
  id: string,
  label: string,
  result: LifecycleResult | null,
  reference: number | null,
  check: TargetCheck | null,
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
            `lifecycle p99 ${ms(best.lagMs.p99)} ms; lost ${damage(best).lost}, bad histories ${best.badHistory}` +
            (result.stoppedByBudget ? ' (time budget reached before a rate failed)' : ''),
    ratio: ratio === null ? '–' : `${num(ratio, 2)} × (1)`,
    target: check === null ? '–' : `≥ ${num(TARGETS.lifecycleRatio, 1)} × (1), nothing lost`,
    status: check?.status ?? '–',
    generatorCpu:
      best === null ? '–' : generatorCell(best.cpu.generator, best.generatorMicrosPerRequest),
  };
}

function overloadRow(result: OverloadResult, step: OverloadStep): SummaryRow {
  const targeted = step.multiple === TARGETS.overloadMultiple;
  const { lost } = damage(step);
  return {
    id: '4',
    scenario: `Overload, ${num(step.multiple, step.multiple % 1 === 0 ? 0 : 1)} × ${num(result.baseRate)}/s = ${num(step.rate)}/s offered`,
    result:
      `${num(step.completedPerSecond)}/s completed (${num((100 * step.completedPerSecond) / result.baseRate)} % of held), ` +
      `${num(step.refusedPerSecond)}/s refused (p50 / p99 ${ms(step.refusalLatencyMs.p50)} / ${ms(step.refusalLatencyMs.p99)} ms), ` +
      `accepted ${num(step.createdPerSecond)}/s (p50 / p99 ${ms(step.createLatencyMs.p50)} / ${ms(step.createLatencyMs.p99)} ms); ` +
      `errors ${num(step.failedRequests)}, lost ${lost}`,
    ratio: `${num(step.completedPerSecond / result.baseRate, 2)} × held`,
    target: targeted
      ? `completed ≥ ${num(TARGETS.overloadCompletedShare * 100)} % of held, refusals p99 ≤ ${TARGETS.overloadRefusalP99Ms} ms, ` +
        `accepted p99 ≤ ${TARGETS.overloadAcceptedP99Ms} ms, 0 errors`
      : '–',
    status: targeted ? overallStatus(overloadChecks(result, step.multiple)) : '–',
    generatorCpu: generatorCell(step.cpu.generator, step.generatorMicrosPerRequest),
  };
}

function restartRow(result: RestartResult | null): SummaryRow {
  const audit = result?.audit;
  return {
    id: '5',
    scenario: 'Restart: kill -9 of a loaded orders-api to /ready',
    result:
      result === null || audit === undefined
        ? 'not run'
        : `p50 ${ms(result.killToReadyMs.p50)} / max ${ms(result.killToReadyMs.max)} ms over ` +
          `${result.runs.length} restarts at ${num(result.rate)}/s; lost ${audit.unfinished + audit.missing}, ` +
          `bad histories ${audit.badHistory}; ${num(result.failedRequests)} requests failed while down`,
    ratio: '–',
    target: '–',
    status: '–',
    generatorCpu:
      result === null
        ? '–'
        : generatorCell(result.generatorCpuPercent, result.generatorMicrosPerRequest),
  };
}

function fanoutRow(step: FanoutStep, targeted: boolean, checks: TargetCheck[]): SummaryRow {
  return {
    id: '7',
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
    status: targeted ? overallStatus(checks) : '–',
    generatorCpu: pct(step.cpu.generator),
  };
}

function resumeRow(resume: ResumeResult | null): SummaryRow {
  if (resume === null) return notRunRow('9', 'Resumable stream');
  return {
    id: '9',
    scenario: `Resumable stream, ${num(resume.subscribers)} subscribers (${resume.firehose} on all orders) resuming every ~${num(resume.resumeIntervalS, 1)} s`,
    result:
      `${num(resume.resumes)} resumes; ${num(resume.received)} events; event→client p50 ` +
      `${ms(resume.latencyMs.p50)} / p99 ${ms(resume.latencyMs.p99)} ms; missed ${resume.missed}, ` +
      `duplicated ${resume.duplicated}, out of order ${resume.outOfOrder}`,
    ratio: '–',
    target: 'none missed, none duplicated',
    status: resumeCheck(resume).status,
    generatorCpu: pct(resume.cpu.generator),
  };
}

/** The row of a scenario with targets that did not run. */
function notRunRow(id: string, scenario: string): SummaryRow {
  return {
    id,
    scenario,
    result: 'not run',
    ratio: '–',
    target: '–',
    status: 'not measured',
    generatorCpu: '–',
  };
}

/** What the summary is built from: the report without its summary and targets. */
export type ReportBody = Omit<BenchReport, 'summary' | 'targets'>;

/** The one table: every scenario, its figure, its ratio and where it stands against its target. */
export function buildSummary(report: ReportBody): SummaryRow[] {
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
    lifecycleRow(
      '2',
      'Lifecycle throughput, PostgreSQL',
      report.lifecycle,
      reference,
      lifecycleCheck(report.lifecycle, report.pgbench),
    ),
  );
  const highest = report.lifecycle?.best ?? null;
  const latencyCheck = createLatencyCheck(report.lifecycle);
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
      status: targeted ? latencyCheck.status : '–',
      generatorCpu:
        step === null ? '–' : generatorCell(step.cpu.generator, step.generatorMicrosPerRequest),
    });
  }
  if (report.overload === null || report.overload.steps.length === 0) {
    rows.push(notRunRow('4', 'Overload'));
  } else {
    const overload = report.overload;
    rows.push(...overload.steps.map((step) => overloadRow(overload, step)));
  }
  rows.push(restartRow(report.restart));
  const query = report.query;
  rows.push({
    id: '6',
    scenario: `order(id) on one process (${query?.connections ?? '–'} connections)`,
    result:
      query === null
        ? 'not run'
        : `${num(query.order.requestsPerSecond)} req/s (p99 ${ms(query.order.latencyP99Ms)} ms); ` +
          `{ __typename }: ${num(query.trivial.requestsPerSecond)} req/s`,
    ratio: query === null ? '–' : `${num(query.ratio * 100)} % of { __typename }`,
    target: `≥ ${TARGETS.queryRatio * 100} % of { __typename }`,
    status: queryCheck(query).status,
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
    rows.push(notRunRow('7', 'Subscription fan-out'));
  } else {
    const targeted = targetedFanoutStep(report.fanout);
    const checks = fanoutChecks(report.fanout);
    rows.push(...report.fanout.steps.map((step) => fanoutRow(step, step === targeted, checks)));
  }
  rows.push(resumeRow(report.resume));
  const pglite = lifecycleRow(
    '8',
    'Lifecycle throughput, embedded PGlite',
    report.pglite,
    reference,
    null,
  );
  const postgresBest = report.lifecycle?.best?.completedPerSecond ?? null;
  const pgliteBest = report.pglite?.best?.completedPerSecond ?? null;
  if (postgresBest !== null && pgliteBest !== null && pglite.ratio !== '–') {
    pglite.ratio += `; ${num(pgliteBest / postgresBest, 2)} × (2)`;
  }
  rows.push(pglite);
  const hooks = report.webhooks ?? null;
  rows.push({
    id: '10',
    scenario: 'Webhook delivery, one endpoint answering 200',
    result:
      hooks === null
        ? 'not run'
        : `${num(hooks.events)} events of ${num(hooks.orders)} orders at ${num(hooks.rate)}/s; ` +
          `lag p50 / p99 ${ms(hooks.lagMs.p50)} / ${ms(hooks.lagMs.p99)} ms; missed ${String(hooks.missed)}, ` +
          `out of order ${String(hooks.outOfOrder)}, duplicated ${String(hooks.duplicated)}`,
    ratio: '–',
    target: 'missed 0, out of order 0',
    status:
      hooks === null
        ? 'not measured'
        : hooks.missed === 0 && hooks.outOfOrder === 0
          ? 'met'
          : 'missed',
    generatorCpu: '–',
  });
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

/** A plain-text table for the terminal. */
function textTable(header: readonly string[], body: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...body.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join(' │ ')
      .trimEnd();
  return [line(header), widths.map((w) => '─'.repeat(w)).join('─┼─'), ...body.map(line)].join('\n');
}

/** The summary, then the targets, as plain-text tables for the terminal. */
export function renderText(rows: readonly SummaryRow[], targets: readonly TargetCheck[]): string {
  return [
    textTable(
      COLUMNS.map((c) => c.title),
      rows.map((row) => COLUMNS.map((c) => row[c.key])),
    ),
    '',
    textTable(
      ['Target', 'Measured', 'Status'],
      targets.map((t) => [t.target, t.measured, t.status]),
    ),
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
      'Failed / refused requests',
      'CPU orders-api / payments-api / database / generator',
      'Generator µs/request',
      'Held',
    ],
    result.steps.map((s) => [
      num(s.rate),
      num(s.createdPerSecond),
      num(s.completedPerSecond),
      latencies(s.createLatencyMs),
      `${ms(s.lagMs.p50)} / ${ms(s.lagMs.p99)} ms`,
      num(damage(s).lost),
      num(s.badHistory),
      `${num(s.failedRequests)} / ${num(s.refused)}`,
      `${pct(s.cpu.ordersApi)} / ${pct(s.cpu.paymentsApi)} / ${s.cpu.database === null ? 'in-process' : pct(s.cpu.database)} / ${pct(s.cpu.generator)}`,
      num(s.generatorMicrosPerRequest),
      s.held ? 'yes' : `no: ${s.shortfalls.join('; ')}`,
    ]),
  );
}

function overloadTable(result: OverloadResult): string {
  return markdownTable(
    [
      'Offered /s',
      'Completed /s (of held)',
      'Accepted /s',
      'Refused /s',
      'Refusal p50 / p95 / p99',
      'Accepted createOrder p50 / p95 / p99',
      'Errors',
      'Lost / bad histories / unacknowledged',
      'Lifecycle p99',
      'CPU orders-api / payments-api / database / generator',
      'Generator µs/request, worst send lag, most in flight',
    ],
    result.steps.map((s) => [
      `${num(s.rate)} (${num(s.multiple, s.multiple % 1 === 0 ? 0 : 1)} ×)`,
      `${num(s.completedPerSecond)} (${num((100 * s.completedPerSecond) / result.baseRate)} %)`,
      num(s.createdPerSecond),
      num(s.refusedPerSecond),
      latencies(s.refusalLatencyMs),
      latencies(s.createLatencyMs),
      `${num(s.failedRequests)}${fmt.reasons(s.failures)}`,
      `${num(damage(s).lost)} / ${num(s.badHistory)} / ${num(s.unacknowledged)}`,
      `${ms(s.lagMs.p99)} ms`,
      `${pct(s.cpu.ordersApi)} / ${pct(s.cpu.paymentsApi)} / ${s.cpu.database === null ? 'in-process' : pct(s.cpu.database)} / ${pct(s.cpu.generator)}`,
      `${num(s.generatorMicrosPerRequest)} µs, ${ms(s.generatorMaxSendLagMs)} ms, ` +
        `${num(s.generatorMaxInFlight)}${s.generatorMaxInFlight >= s.generatorConnections ? ' (every connection busy: requests waited for one)' : ''}`,
    ]),
  );
}

/** The sentence at the top that says whether the machine was quiet, with the figures. */
export function machineLoadLine(m: MachineInfo): string {
  const figures =
    `load average ${m.loadAtStart.join(', ')} at the start and ${m.loadAtEnd.join(', ')} at the end, ` +
    `which includes the run's own work; ${m.busyBeforeStartPercent ?? '?'} % of the CPUs busy in the ` +
    `three seconds before the run and ${m.busyAfterEndPercent ?? '?'} % in the three seconds after it`;
  const busy = machineWasBusy(m);
  if (busy === null) return `The machine's load could not be read (${figures}).`;
  return busy
    ? `**The machine was busy with other work around this run** (${figures}), so these figures are lower than an idle machine would give: compare ratios within the run, not figures across runs.`
    : `The machine was otherwise idle (${figures}).`;
}

/** The whole run as Markdown: machine load, targets, summary, then each scenario's figures. */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const parts: string[] = [
    '# Benchmark results',
    '',
    machineLoadLine(m),
    '',
    `Run of ${report.startedAt}, ${num(report.elapsedS)} s. Produced by \`pnpm bench\`; see [bench/README.md](../README.md) for what each figure means.`,
    '',
    `Machine: ${m.cpuModel}, ${m.cores} cores, ${m.memoryGiB} GiB RAM, ${m.os}; Node ${m.node}; ${m.postgres}; open-files limit ${m.openFilesLimit ?? 'unknown'}. Commit measured: ${m.commit}.`,
    '',
    '## Targets',
    '',
    markdownTable(
      ['Target', 'Measured', 'Status'],
      report.targets.map((t) => [t.target, t.measured, t.status]),
    ),
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
      `${report.pgbench.version ?? ''}, \`-M ${report.pgbench.protocol}\`, script \`bench/sql/order-lifecycle.pgbench.sql\`. After the runs: ${report.pgbench.check.orders} orders, ${report.pgbench.check.delivered} delivered, ${report.pgbench.check.transitions} history rows, ${report.pgbench.check.payments} payments.`,
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
  if (report.overload !== null) {
    const o = report.overload;
    parts.push(
      '',
      '## 4. Overload',
      '',
      `Multiples of ${num(o.baseRate)}/s, the highest held rate ${o.baseFrom === 'lifecycle' ? 'of this run' : 'given by BENCH_OVERLOAD_BASE_RATE'}. Refused: HTTP 503 with Retry-After and SERVICE_OVERLOADED; errors: every other answer that is not an order.`,
      '',
      overloadTable(o),
    );
  }
  if (report.restart !== null) {
    const r = report.restart;
    parts.push(
      '',
      '## 5. Restart',
      '',
      `kill -9 of orders-api under ${num(r.rate)} createOrders/s, then a new process on the same port; timed to its first \`/ready\` 200. ` +
        `Afterwards ${num(r.audit.orders)} orders read back (${num(r.acknowledged)} acknowledged): lost ${r.audit.unfinished + r.audit.missing}, ` +
        `bad histories ${r.audit.badHistory}. ${num(r.failedRequests)} requests failed${fmt.reasons(r.failures)}, ${num(r.refused)} refused.`,
      '',
      markdownTable(
        ['Restart', 'kill -9 → ready', 'spawn → ready'],
        [
          ...r.runs.map((run, i) => [
            num(i + 1),
            `${ms(run.killToReadyMs)} ms`,
            `${ms(run.spawnToReadyMs)} ms`,
          ]),
          [
            'p50 / max',
            `${ms(r.killToReadyMs.p50)} / ${ms(r.killToReadyMs.max)} ms`,
            `${ms(r.spawnToReadyMs.p50)} / ${ms(r.spawnToReadyMs.max)} ms`,
          ],
        ],
      ),
    );
  }
  if (report.query !== null) {
    const q = report.query;
    parts.push(
      '',
      '## 6. Query throughput, one orders-api process',
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
      '## 7. Subscription fan-out',
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
  if (report.resume !== null) {
    const r = report.resume;
    parts.push(
      '',
      '## 9. Resumable stream',
      '',
      markdownTable(
        [
          'Subscribers',
          'Resumes',
          'Events received',
          'Event→client p50 / p95 / p99',
          'Missed / duplicated / out of order / errors',
          'CPU orders-api / generators',
        ],
        [
          [
            `${num(r.subscribers)} (${r.firehose} on all), every ~${num(r.resumeIntervalS, 1)} s`,
            num(r.resumes),
            `${num(r.received)} (${num(r.eventRate)} cancels/s)`,
            latencies(r.latencyMs),
            `${r.missed} / ${r.duplicated} / ${r.outOfOrder} / ${r.errors}`,
            `${pct(r.cpu.ordersApi)} / ${pct(r.cpu.generator)}`,
          ],
        ],
      ),
    );
  }
  if (report.pglite !== null) {
    parts.push(
      '',
      '## 8. Lifecycle on embedded PGlite, rising rates',
      '',
      lifecycleTable(report.pglite),
    );
  }
  const hooks = report.webhooks ?? null;
  if (hooks !== null) {
    parts.push(
      '',
      '## 10. Webhook delivery',
      '',
      markdownTable(
        [
          'Rate',
          'Orders / events',
          'Transition→receipt p50 / p95 / p99',
          'Missed / out of order / duplicated',
          'CPU orders-api / database',
        ],
        [
          [
            `${num(hooks.rate)}/s`,
            `${num(hooks.orders)} / ${num(hooks.events)}`,
            latencies(hooks.lagMs),
            `${String(hooks.missed)} / ${String(hooks.outOfOrder)} / ${String(hooks.duplicated)}`,
            `${pct(hooks.cpu.ordersApi)} / ${hooks.cpu.database === null ? '–' : pct(hooks.cpu.database)}`,
          ],
        ],
      ),
    );
  }
  parts.push('', '## Settings', '', '```json', JSON.stringify(report.settings, null, 2), '```', '');
  return parts.join('\n');
}
