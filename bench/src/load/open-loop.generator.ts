// A child process that sends GraphQL requests on a fixed schedule (open loop): request i is due
// at start + i / rate whether or not earlier ones have been answered, and its latency is
// counted from when it was due, so a slow server cannot slow the load down and hide its own
// queueing (coordinated omission).
//
// Requests go through undici's Pool at its lowest level (`dispatch` with a handler): about half
// the CPU per request of node:http, so offering several times what the stack holds measures the
// stack and not this process (bench/README.md gives the figures). Connections are kept alive and
// not pipelined: on a pipelined connection an answer waits for the ones ahead of it, which would
// charge a fast refusal with the time of the accepted request in front of it.
import { Pool, type Dispatcher } from 'undici';
import { classifyAnswer } from './graphql-answer.js';
import {
  MAX_CONNECTIONS,
  STOP_LOAD,
  type OpenLoopJob,
  type OpenLoopReport,
} from './open-loop.protocol.js';
import { serveParent, startCpuClock, type GeneratorCpu } from './generator-process.js';

/** How often requests past their deadline are looked for. */
const SWEEP_MS = 100;

/** One request in flight: when it was due, and how to abort it once undici has started it. */
interface Pending {
  index: number;
  dueAt: number;
  settled: boolean;
  controller: Dispatcher.DispatchController | null;
}

function run(job: OpenLoopJob, stopSignal: { stopped: boolean }): Promise<OpenLoopReport> {
  const target = new URL(job.url);
  const pool = new Pool(target.origin, {
    connections: MAX_CONNECTIONS,
    pipelining: 1,
    // The sweep below times requests out from when they were due; these only back it up.
    headersTimeout: job.timeoutMs + 5_000,
    bodyTimeout: job.timeoutMs + 5_000,
  });
  const bodies = job.bodies.map((body) => Buffer.from(body));
  const headers = { 'content-type': 'application/json' };
  const planned = Math.round((job.rate * (job.warmupMs + job.durationMs)) / 1000);
  const warmupCount = Math.round((job.rate * job.warmupMs) / 1000);
  const interval = 1000 / job.rate;
  const t0 = performance.now() + Math.max(0, job.startAt - Date.now());
  const latencies: number[] = [];
  const refusalLatencies: number[] = [];
  const report: Omit<
    OpenLoopReport,
    'latenciesMs' | 'refusalLatenciesMs' | 'cpu' | 'scheduled' | 'measuredScheduled'
  > = {
    ok: 0,
    refused: 0,
    failed: 0,
    failures: {},
    measuredOk: 0,
    measuredRefused: 0,
    ids: [],
    maxSendLagMs: 0,
    maxInFlight: 0,
  };
  // In due order, so the requests past their deadline are always at the front.
  const pending: Pending[] = [];
  let head = 0;
  let sent = 0;
  let settledCount = 0;
  let sending = true;
  let stopCpu: (() => GeneratorCpu) | null = null;

  return new Promise((resolve) => {
    let sweeper: NodeJS.Timeout | null = null;
    const finishIfDone = () => {
      if (sending || settledCount < sent) return;
      if (sweeper !== null) clearInterval(sweeper);
      const cpu = stopCpu?.() ?? { userMs: 0, systemMs: 0, wallMs: 0 };
      void pool.destroy();
      resolve({
        ...report,
        scheduled: sent,
        measuredScheduled: Math.max(0, sent - warmupCount),
        latenciesMs: Float64Array.from(latencies),
        refusalLatenciesMs: Float64Array.from(refusalLatencies),
        cpu,
      });
    };
    const settle = (request: Pending, outcome: ReturnType<typeof classifyAnswer>) => {
      if (request.settled) return;
      request.settled = true;
      // What undici keeps for the request goes with it, not with the queue of pending ones.
      request.controller = null;
      settledCount++;
      const latency = performance.now() - request.dueAt;
      const measured = request.index >= warmupCount;
      if (outcome.kind === 'ok') {
        report.ok++;
        report.ids.push(outcome.id);
        if (measured) {
          report.measuredOk++;
          latencies.push(latency);
        }
      } else if (outcome.kind === 'refused') {
        report.refused++;
        if (measured) {
          report.measuredRefused++;
          refusalLatencies.push(latency);
        }
      } else {
        report.failed++;
        report.failures[outcome.reason] = (report.failures[outcome.reason] ?? 0) + 1;
      }
      finishIfDone();
    };
    const fail = (request: Pending, reason: string) => {
      settle(request, { kind: 'failed', reason });
    };

    const send = (index: number, dueAt: number) => {
      const request: Pending = { index, dueAt, settled: false, controller: null };
      pending.push(request);
      sent++;
      report.maxInFlight = Math.max(report.maxInFlight, sent - settledCount);
      const chunks: Buffer[] = [];
      let status = 0;
      let retryAfter: string | undefined;
      pool.dispatch(
        {
          path: target.pathname,
          method: 'POST',
          headers,
          body: bodies[index % bodies.length] ?? '',
        },
        {
          onRequestStart(controller) {
            // Timed out while it waited for a connection: never sent.
            if (request.settled) controller.abort(new Error('timeout'));
            else request.controller = controller;
          },
          onResponseStart(_controller, statusCode, responseHeaders) {
            status = statusCode;
            const value = responseHeaders['retry-after'];
            retryAfter = Array.isArray(value) ? value[0] : value;
          },
          onResponseData(_controller, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            settle(request, classifyAnswer(status, retryAfter, Buffer.concat(chunks).toString()));
          },
          onResponseError(_controller, error) {
            const code = (error as NodeJS.ErrnoException).code;
            fail(request, `network ${code ?? error.message}`);
          },
        },
      );
    };

    // Requests are due in order, so those past their deadline are at the front of `pending`.
    const sweep = () => {
      const now = performance.now();
      while (head < pending.length) {
        const request = pending[head];
        if (request === undefined) break;
        if (!request.settled) {
          if (now - request.dueAt < job.timeoutMs) break;
          const controller = request.controller;
          fail(request, 'timeout');
          controller?.abort(new Error('timeout'));
        }
        head++;
      }
      if (head > 1_000) {
        pending.splice(0, head);
        head = 0;
      }
    };

    let next = 0;
    const tick = () => {
      const now = performance.now();
      if (stopCpu === null && now >= t0) {
        stopCpu = startCpuClock();
        sweeper = setInterval(sweep, SWEEP_MS);
      }
      const last = stopSignal.stopped ? next : planned;
      while (next < last && t0 + next * interval <= now) {
        const dueAt = t0 + next * interval;
        report.maxSendLagMs = Math.max(report.maxSendLagMs, now - dueAt);
        send(next, dueAt);
        next++;
      }
      if (next < last) {
        // Woken at the next due time, or within 50 ms to see a stop.
        setTimeout(tick, Math.max(0, Math.min(50, t0 + next * interval - now)));
        return;
      }
      sending = false;
      stopCpu ??= startCpuClock();
      finishIfDone();
    };
    tick();
  });
}

const stopSignal = { stopped: false };
serveParent(
  (job: OpenLoopJob) => {
    stopSignal.stopped = false;
    return run(job, stopSignal);
  },
  (control) => {
    if (control === STOP_LOAD) stopSignal.stopped = true;
  },
);
