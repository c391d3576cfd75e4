import { describe, expect, it } from 'vitest';
import { QUIET_MACHINE } from '../report/report-fixtures.js';
import { machineWasBusy } from './machine-info.js';

const quiet = {
  ...QUIET_MACHINE,
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
