import { describe, expect, it } from 'vitest';
import { overloadBase, overloadRate } from './overload.js';

describe('overloadBase', () => {
  it('takes the setting over the held rate, and the held rate otherwise', () => {
    expect(overloadBase(250, 400)).toEqual({ rate: 250, from: 'setting' });
    expect(overloadBase(undefined, 400)).toEqual({ rate: 400, from: 'lifecycle' });
  });

  it('has nothing to overload when no rate was held and none is given', () => {
    expect(overloadBase(undefined, null)).toBeNull();
  });
});

describe('overloadRate', () => {
  it('offers whole requests per second, at least one', () => {
    expect(overloadRate(400, 5)).toBe(2000);
    expect(overloadRate(333, 1.5)).toBe(500);
    expect(overloadRate(0, 2)).toBe(1);
  });
});
