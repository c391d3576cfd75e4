// A child process that drives one GraphQL request as hard as it will go with autocannon
// (closed loop: each connection sends its next request when the last is answered), for the
// throughput ceiling of one orders-api process.
import autocannon from 'autocannon';
import { serveParent, startCpuClock, type GeneratorCpu } from './generator-process.js';

export interface ClosedLoopJob {
  url: string;
  body: string;
  connections: number;
  warmupS: number;
  durationS: number;
  /** Every answer must be exactly this; any other counts as a mismatch, not a success. */
  expectBody: string;
}

export interface ClosedLoopReport {
  /** Correct answers per second over the measured run. */
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  errors: number;
  non2xx: number;
  mismatches: number;
  cpu: GeneratorCpu;
}

function cannon(job: ClosedLoopJob, durationS: number): Promise<autocannon.Result> {
  return autocannon({
    url: job.url,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: job.body,
    connections: job.connections,
    duration: durationS,
    expectBody: job.expectBody,
  });
}

async function run(job: ClosedLoopJob): Promise<ClosedLoopReport> {
  // JIT, connection pools and the query plan cache warm up before anything is counted.
  if (job.warmupS > 0) await cannon(job, job.warmupS);
  const stopCpu = startCpuClock();
  const result = await cannon(job, job.durationS);
  const cpu = stopCpu();
  const correct = result['2xx'] - result.mismatches;
  return {
    requestsPerSecond: correct / result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    mismatches: result.mismatches,
    cpu,
  };
}

serveParent(run);
