import { describe, expect, it } from 'vitest';
import { highestHeld, nextRate, roundStep } from './rate-schedule.js';

const planned = [100, 300, 500, 700, 1000];

describe('nextRate', () => {
  it('walks the planned rates while each is held', () => {
    expect(nextRate(planned, [])).toBe(100);
    expect(nextRate(planned, [{ rate: 100, held: true }])).toBe(300);
    expect(
      nextRate(
        planned,
        planned.map((rate) => ({ rate, held: true })),
      ),
    ).toBeNull();
  });

  it('tries once halfway between the last held and the first failed rate', () => {
    const tried = [
      { rate: 100, held: true },
      { rate: 300, held: true },
      { rate: 500, held: false },
    ];
    expect(nextRate(planned, tried)).toBe(400);
    expect(nextRate(planned, [...tried, { rate: 400, held: true }])).toBeNull();
    expect(nextRate(planned, [...tried, { rate: 400, held: false }])).toBeNull();
  });

  it('refines down from zero when the first rate fails', () => {
    expect(nextRate(planned, [{ rate: 100, held: false }])).toBe(50);
    expect(nextRate([10, 25], [{ rate: 10, held: false }])).toBe(5);
  });

  it('rounds the halfway rate to a step that suits its size', () => {
    const tried = [
      { rate: 10, held: true },
      { rate: 25, held: true },
      { rate: 50, held: false },
    ];
    expect(nextRate([10, 25, 50], tried)).toBe(40);
  });

  it('stops when the gap is too small to split', () => {
    const tried = [
      { rate: 100, held: true },
      { rate: 150, held: false },
    ];
    expect(nextRate([100, 150], tried, 50)).toBeNull();
  });
});

describe('highestHeld', () => {
  it('is the top held rate, even when it came from the refinement', () => {
    expect(
      highestHeld([
        { rate: 100, held: true },
        { rate: 500, held: false },
        { rate: 300, held: true },
      ]),
    ).toBe(300);
    expect(highestHeld([{ rate: 100, held: false }])).toBeNull();
  });
});

describe('roundStep', () => {
  it('grows with the rate', () => {
    expect([roundStep(1), roundStep(10), roundStep(50), roundStep(300), roundStep(2000)]).toEqual([
      1, 5, 5, 50, 500,
    ]);
  });
});
