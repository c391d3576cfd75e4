import { describe, expect, it } from 'vitest';
import { cpuMicrosPerRequest, generatorCpuPercent } from './generator-process.js';

const cpus = [
  { userMs: 300, systemMs: 100, wallMs: 10_000 },
  { userMs: 150, systemMs: 50, wallMs: 10_000 },
];

describe('generator CPU', () => {
  it('adds up the share of a core over the children', () => {
    expect(generatorCpuPercent(cpus)).toBeCloseTo(6);
  });

  it('divides the CPU of every child by the requests they sent', () => {
    // 600 ms over 10,000 requests.
    expect(cpuMicrosPerRequest(cpus, 10_000)).toBeCloseTo(60);
    expect(cpuMicrosPerRequest(cpus, 0)).toBe(0);
  });
});
