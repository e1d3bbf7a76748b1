import { describe, expect, it } from 'vitest';
import { pairedDifference, t95 } from '../../bench/ml/pairedDifference.js';

describe('pairedDifference (the benchmark verdict on log loss over split seeds)', () => {
  // The ten split seeds of the 1M benchmark, Sluice − HGB (docs/benchmarks.md, Dec 5).
  const tenSeeds = [0.00106, 0.00026, -0.00016, -0.00036, -0.00036, -0.00041, 0.00015, 0.00064, 0.00008, 0.00039];

  it('gives the mean, standard error and one-sided 95% t bounds of the differences', () => {
    const s = pairedDifference(tenSeeds, 0.001);
    const mean = tenSeeds.reduce((a, b) => a + b, 0) / 10;
    const sd = Math.sqrt(tenSeeds.reduce((a, b) => a + (b - mean) ** 2, 0) / 9);
    expect(s.n).toBe(10);
    expect(s.mean).toBeCloseTo(mean, 15);
    expect(s.sd).toBeCloseTo(sd, 15);
    expect(s.se).toBeCloseTo(sd / Math.sqrt(10), 15);
    expect(s.upper).toBeCloseTo(mean + 1.833 * (sd / Math.sqrt(10)), 15);
    expect(s.lower).toBeCloseTo(mean - 1.833 * (sd / Math.sqrt(10)), 15);
    expect(s.oursLower).toBe(4);
    expect(s.verdict).toBe('equal or better');
  });

  it('says better only when the upper bound is below zero, worse when the lower bound is above zero', () => {
    expect(pairedDifference([-0.002, -0.0021, -0.0019, -0.002], 0.001).verdict).toBe('better');
    expect(pairedDifference([0.002, 0.0021, 0.0019, 0.002], 0.001).verdict).toBe('worse');
    // Small and consistent, but above the margin: worse, not equal.
    expect(pairedDifference([0.0012, 0.0013, 0.0012, 0.0013], 0.001).verdict).toBe('worse');
  });

  it('does not call a wide interval equal: too few or too noisy splits are "not shown"', () => {
    // Mean about 0, but the spread leaves a difference past the margin possible.
    expect(pairedDifference([0.003, -0.003, 0.002, -0.002], 0.001).verdict).toBe('not shown');
    // One split has no interval, whatever its difference.
    const one = pairedDifference([-0.001], 0.001);
    expect(one.verdict).toBe('not shown');
    expect(Number.isNaN(one.se)).toBe(true);
  });

  it('rejects no pairs, a negative margin and differences that are not finite numbers', () => {
    expect(() => pairedDifference([], 0.001)).toThrow(/no pairs/);
    expect(() => pairedDifference([0.001, 0.002], -1)).toThrow(/margin must be >= 0/);
    expect(() => pairedDifference([0.001, Number.NaN], 0.001)).toThrow(/finite/);
    expect(() => t95(0)).toThrow(/degrees of freedom/);
    expect(t95(4)).toBe(2.132);
    expect(t95(100)).toBe(t95(30));
  });
});
