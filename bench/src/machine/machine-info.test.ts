import { describe, expect, it } from 'vitest';
import { machineWasBusy, type MachineInfo } from './machine-info.js';

const quiet: MachineInfo = {
  cpuModel: 'test',
  cores: 2,
  memoryGiB: 8,
  os: 'Linux',
  node: 'v20',
  postgres: '15',
  commit: 'abc',
  openFilesLimit: 1024,
  loadAtStart: [0.1, 0.2, 0.3],
  loadAtEnd: [1.9, 1.5, 0.8],
  busyBeforeStartPercent: 2,
  busyAfterEndPercent: 3,
};

describe('machineWasBusy', () => {
  it('calls a machine quiet before and after the run quiet, whatever the run itself did', () => {
    expect(machineWasBusy(quiet)).toBe(false);
  });

  it('sees others at work before the run, after it, or in the load at its start', () => {
    expect(machineWasBusy({ ...quiet, busyBeforeStartPercent: 40 })).toBe(true);
    expect(machineWasBusy({ ...quiet, busyAfterEndPercent: 40 })).toBe(true);
    expect(machineWasBusy({ ...quiet, loadAtStart: [1.5, 1, 1] })).toBe(true);
  });

  it('cannot tell when nothing was measured', () => {
    expect(
      machineWasBusy({
        ...quiet,
        loadAtStart: [],
        busyBeforeStartPercent: null,
        busyAfterEndPercent: null,
      }),
    ).toBeNull();
  });
});
