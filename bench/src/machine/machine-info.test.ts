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

  it('sees others at work before the run or after it', () => {
    expect(machineWasBusy({ ...quiet, busyBeforeStartPercent: 40 })).toBe(true);
    expect(machineWasBusy({ ...quiet, busyAfterEndPercent: 40 })).toBe(true);
  });

  it("does not take the bench's own build, in the load average at its start, for other work", () => {
    expect(machineWasBusy({ ...quiet, loadAtStart: [1.7, 0.7, 0.3] })).toBe(false);
  });

  it('cannot tell when nothing was measured', () => {
    expect(
      machineWasBusy({
        ...quiet,
        busyBeforeStartPercent: null,
        busyAfterEndPercent: null,
      }),
    ).toBeNull();
  });
});
