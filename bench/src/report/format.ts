import type { LatencySummary } from '../stats/percentiles.js';

/** A number as the report prints it: grouped thousands, a dash for nothing measured. */
export function num(value: number | null | undefined, digits = 0): string {
  return value === null || value === undefined || Number.isNaN(value)
    ? '–'
    : value.toLocaleString('en-US', {
        minimumFractionDigits: digits,
        maximumFractionDigits: digits,
      });
}

/** Milliseconds: one decimal under 10 ms, whole above. */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? '–' : num(value, value < 10 ? 1 : 0);
}

/** `p50 / p95 / p99 ms` of a latency summary. */
export function latencies(summary: LatencySummary): string {
  return `${ms(summary.p50)} / ${ms(summary.p95)} / ${ms(summary.p99)} ms`;
}

export function pct(value: number): string {
  return `${num(value)} %`;
}

/** ` (timeout: 3, HTTP 500: 1)` for failure counts, most frequent first; nothing for none. */
export function reasons(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort((a, b) => b[1] - a[1]);
  return entries.length === 0
    ? ''
    : ` (${entries.map(([reason, count]) => `${reason}: ${num(count)}`).join(', ')})`;
}
