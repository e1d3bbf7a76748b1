import { describe, expect, it } from 'vitest';
import { correlationRatio } from '../../src/profile/correlationRatio.js';

describe('correlationRatio', () => {
  it('is 1 when the groups explain everything and 0 when they explain nothing', () => {
    expect(
      correlationRatio([
        { n: 10, mean: 1, varPop: 0 },
        { n: 10, mean: 3, varPop: 0 },
      ]),
    ).toBeCloseTo(1, 12);
    expect(
      correlationRatio([
        { n: 10, mean: 2, varPop: 1 },
        { n: 10, mean: 2, varPop: 1 },
      ]),
    ).toBe(0);
  });

  it('is null for a constant column whose group means differ only by rounding (no spurious leakage)', () => {
    // An epoch-seconds event time stamped on every row: averages per group differ in the last bits.
    const t = 1_796_000_000.123;
    expect(
      correlationRatio([
        { n: 4000, mean: t, varPop: 0 },
        { n: 3000, mean: t + 2.4e-7, varPop: 0 },
      ]),
    ).toBeNull();
    // A real spread of one second on the same magnitude is measured.
    expect(
      correlationRatio([
        { n: 4000, mean: t, varPop: 0.25 },
        { n: 3000, mean: t + 1, varPop: 0.25 },
      ]),
    ).toBeGreaterThan(0.5);
  });
});
