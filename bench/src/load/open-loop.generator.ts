// A child process that sends GraphQL requests on a fixed schedule (open loop): request i is due
// at start + i / rate whether or not earlier ones have been answered, and its latency is
// counted from when it was due, so a slow server cannot slow the load down and hide its own
// queueing (coordinated omission).
import { Agent, request } from 'node:http';
import { serveParent, startCpuClock, type GeneratorCpu } from './generator-process.js';

export interface OpenLoopJob {
  url: string;
  /** Request i sends bodies[i % bodies.length]. */
  bodies: readonly string[];
  /** Requests per second from this process. */
  rate: number;
  /** Date.now() at which request 0 is due, so several generators start together. */
  startAt: number;
  warmupMs: number;
  durationMs: number;
  timeoutMs: number;
}

export interface OpenLoopReport {
  scheduled: number;
  ok: number;
  failed: number;
  /** Failed requests by reason (`timeout`, `HTTP 503`, `BAD_USER_INPUT`...). */
  failures: Record<string, number>;
  /** Requests due after the warm-up, and how many of those succeeded. */
  measuredScheduled: number;
  measuredOk: number;
  /** Milliseconds from due to answered, for the measured requests that succeeded. */
  latenciesMs: Float64Array;
  /** The `id` each successful answer carried (the order created or changed). */
  ids: string[];
  /** How late the generator itself sent its worst request; large means it was the bottleneck. */
  maxSendLagMs: number;
  cpu: GeneratorCpu;
}

function run(job: OpenLoopJob): Promise<OpenLoopReport> {
  const target = new URL(job.url);
  // Enough sockets that requests queue at the server, where the latency belongs, not here.
  const agent = new Agent({ keepAlive: true, maxSockets: 1024 });
  const total = Math.round((job.rate * (job.warmupMs + job.durationMs)) / 1000);
  const warmupCount = Math.round((job.rate * job.warmupMs) / 1000);
  const interval = 1000 / job.rate;
  const t0 = performance.now() + Math.max(0, job.startAt - Date.now());
  const latencies = new Float64Array(Math.max(0, total - warmupCount));
  const report: Omit<OpenLoopReport, 'latenciesMs' | 'cpu'> = {
    scheduled: total,
    ok: 0,
    failed: 0,
    failures: {},
    measuredScheduled: total - warmupCount,
    measuredOk: 0,
    ids: [],
    maxSendLagMs: 0,
  };
  let measured = 0;
  let answered = 0;
  let stopCpu: (() => GeneratorCpu) | null = null;

  return new Promise((resolve) => {
    const finish = () => {
      answered++;
      if (answered < total) return;
      agent.destroy();
      resolve({
        ...report,
        latenciesMs: latencies.slice(0, measured),
        cpu: stopCpu?.() ?? { userMs: 0, systemMs: 0, wallMs: 0 },
      });
    };
    const fail = (reason: string) => {
      report.failed++;
      report.failures[reason] = (report.failures[reason] ?? 0) + 1;
      finish();
    };
    const send = (index: number, dueAt: number) => {
      const body = job.bodies[index % job.bodies.length] ?? '';
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          timeout: job.timeoutMs,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const latency = performance.now() - dueAt;
            const outcome = readAnswer(res.statusCode ?? 0, Buffer.concat(chunks).toString());
            if (typeof outcome !== 'string') {
              fail(outcome.failure);
              return;
            }
            report.ok++;
            report.ids.push(outcome);
            if (index >= warmupCount) {
              report.measuredOk++;
              latencies[measured++] = latency;
            }
            finish();
          });
          res.on('error', () => {
            fail('response aborted');
          });
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error('timeout'));
      });
      req.on('error', (error: NodeJS.ErrnoException) => {
        fail(error.message === 'timeout' ? 'timeout' : `network ${error.code ?? error.message}`);
      });
      req.end(body);
    };

    let next = 0;
    const tick = () => {
      const now = performance.now();
      if (stopCpu === null && now >= t0) stopCpu = startCpuClock();
      while (next < total && t0 + next * interval <= now) {
        const dueAt = t0 + next * interval;
        report.maxSendLagMs = Math.max(report.maxSendLagMs, now - dueAt);
        send(next, dueAt);
        next++;
      }
      if (next < total) setTimeout(tick, Math.max(0, Math.min(5, t0 + next * interval - now)));
    };
    if (total === 0) {
      resolve({ ...report, latenciesMs: new Float64Array(0), cpu: startCpuClock()() });
      return;
    }
    tick();
  });
}

/** The id of what the mutation returned, or why the request failed. */
function readAnswer(status: number, text: string): string | { failure: string } {
  if (status !== 200) return { failure: `HTTP ${status}` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { failure: 'unparsable answer' };
  }
  const answer = parsed as {
    data?: Record<string, { id?: unknown } | null> | null;
    errors?: { extensions?: { code?: string } }[];
  };
  const error = answer.errors?.[0];
  if (error !== undefined) return { failure: error.extensions?.code ?? 'GraphQL error' };
  const first = Object.values(answer.data ?? {})[0];
  return typeof first?.id === 'string' ? first.id : { failure: 'answer without an id' };
}

serveParent(run);
