import { describe, expect, it } from 'vitest';
import { EMPTY, mergeDistributions, quantile, type Distribution } from '../../../src/flow/partitions/Distribution.js';
import { add, divide, exact, fromDouble, fromText, toDouble, toText } from '../../../src/flow/partitions/ExactSum.js';
import { mergeAll } from '../../../src/flow/partitions/mergeAll.js';
import { rng } from '../../support/data.js';
import { entryAtRank, mergeSketches, pruneSketch, sketchAtRanks, sketchRanks, type QuantileSketch } from '../../../src/flow/partitions/QuantileSketch.js';

/** A partition's sketch as columnSummaries takes it: its sorted values at exact ranks. */
function sketchOf(values: number[], size: number): QuantileSketch {
  const sorted = [...values].sort((a, b) => a - b);
  return sketchAtRanks(
    sorted.length,
    sketchRanks(sorted.length, size).map((r) => [r, sorted[r - 1]!]),
  );
}

/** The ranks (1-based) value v can have among sorted values: (count below, count at or below]. */
function rankRange(sorted: number[], v: number): [number, number] {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  let le = lo;
  while (le < sorted.length && sorted[le] === v) le++;
  return [lo + 1, le];
}

describe('ExactSum: sums of doubles that do not depend on the order', () => {
  it('adds doubles exactly, in any order and grouping, and rounds once', () => {
    const next = rng(7);
    const xs = Array.from({ length: 5000 }, () => (next() - 0.5) * 10 ** Math.floor(next() * 30 - 15));
    xs.push(1e300, -1e300, 5e-324, 0.1, 0.2, 0.3);
    const forward = xs.reduce((s, x) => add(s, fromDouble(x)), exact(0n));
    const backward = [...xs].reverse().reduce((s, x) => add(s, fromDouble(x)), exact(0n));
    const halves = add(
      xs.slice(0, 2500).reduce((s, x) => add(s, fromDouble(x)), exact(0n)),
      xs.slice(2500).reduce((s, x) => add(s, fromDouble(x)), exact(0n)),
    );
    expect(toText(backward)).toBe(toText(forward));
    expect(toText(halves)).toBe(toText(forward));
    expect(fromText(toText(forward))).toEqual(forward);
    // 0.1 + 0.2 rounded once is not the double sum 0.30000000000000004
    expect(toDouble(add(fromDouble(0.1), fromDouble(0.2)))).toBe(0.30000000000000004);
    expect(toDouble(add(fromDouble(0.1), fromDouble(0.7)))).toBe(0.7999999999999999);
    expect(divide(add(fromDouble(1), fromDouble(2)), 3n)).toBe(1);
    expect(divide(fromDouble(1), 3n)).toBe(1 / 3);
    expect(divide(fromDouble(2), 3n)).toBe(2 / 3);
    expect(divide(fromDouble(-7), 2n)).toBe(-3.5);
    for (const x of [1.5, -2.25, 123456.789, 1e-310, Number.MAX_VALUE]) expect(toDouble(fromDouble(x))).toBe(x);
  });
});

describe('QuantileSketch: the rank error it states holds', () => {
  it('a merge of sketches of 12 partitions (with prunes) answers every rank within its stated error', () => {
    const next = rng(42);
    const size = 64;
    const parts = Array.from({ length: 12 }, (_, p) => Array.from({ length: 2000 + p * 337 }, () => Math.round(next() * 1e6) / 10 ** (p % 3)));
    let pruned = 0;
    const merged = mergeAll(
      parts.map((values) => sketchOf(values, size)),
      (a, b) => {
        const m = mergeSketches(a, b);
        if (m.entries.length <= 4 * (size + 1)) return m;
        pruned++;
        return pruneSketch(m, size);
      },
    );
    expect(pruned).toBeGreaterThan(0);
    const sorted = parts.flat().sort((a, b) => a - b);
    expect(merged.n).toBe(sorted.length);
    // The stated bound: n / (2B) for the partitions' sketches (plus half a rank each), and n / (2B)
    // per level of the merge tree that pruned (⌈log2 12⌉ = 4 levels).
    expect(merged.error).toBeLessThanOrEqual((sorted.length / (2 * size)) * (1 + 4) + parts.length / 2);
    let worst = 0;
    for (let r = 1; r <= sorted.length; r += 7) {
      const [v] = entryAtRank(merged, r);
      const [lo, hi] = rankRange(sorted, v);
      const miss = r < lo ? lo - r : r > hi ? r - hi : 0;
      worst = Math.max(worst, miss);
    }
    expect(worst).toBeLessThanOrEqual(merged.error);
    expect(worst).toBeGreaterThan(0); // the sketch does lose information: the test can fail
  });

  it('a quantile from a merged distribution lies between the exact values at its positions ± the error', () => {
    const next = rng(3);
    const parts = Array.from({ length: 4 }, () => Array.from({ length: 30000 }, () => next() ** 3 * 1000));
    const toDistribution = (values: number[]): Distribution => ({ n: values.length, sketch: sketchOf(values, 256) });
    const d = parts.map(toDistribution).reduce((a, b) => mergeDistributions(a, b, 100, 256), EMPTY);
    const sorted = parts.flat().sort((a, b) => a - b);
    for (const q of [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 1]) {
      const { value, rankError } = quantile(d, q);
      expect(rankError).toBeGreaterThan(0);
      expect(rankError).toBeLessThanOrEqual(sorted.length / 256); // n / B
      const h = q * (sorted.length - 1);
      const lo = sorted[Math.max(0, Math.floor(h - rankError))]!;
      const hi = sorted[Math.min(sorted.length - 1, Math.ceil(h + rankError))]!;
      expect(value).toBeGreaterThanOrEqual(lo);
      expect(value).toBeLessThanOrEqual(hi);
    }
  });

  it('exact counts with many ties turn into a sketch that keeps its stated error', () => {
    const next = rng(11);
    const parts = Array.from({ length: 10 }, () => Array.from({ length: 10000 }, () => Math.floor(next() ** 2 * 3000)));
    const toCounts = (values: number[]): Distribution => {
      const m = new Map<number, number>();
      for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
      return { n: values.length, counts: [...m.entries()].sort((a, b) => a[0] - b[0]) };
    };
    const d = mergeAll(parts.map(toCounts), (a, b) => mergeDistributions(a, b, 500, 32));
    expect(d.sketch).toBeDefined();
    const sorted = parts.flat().sort((a, b) => a - b);
    // one prune per level of the merge tree at most: ⌈log2 10⌉ = 4 levels, n / (2B) each
    expect(d.sketch!.error).toBeLessThanOrEqual((4 * sorted.length) / 64);
    for (let r = 1; r <= sorted.length; r += 97) {
      const [v] = entryAtRank(d.sketch!, r);
      const [lo, hi] = rankRange(sorted, v);
      expect(r < lo ? lo - r : r > hi ? r - hi : 0).toBeLessThanOrEqual(d.sketch!.error);
    }
  });

  it('exact counts stay exact through merges, and quantiles are interpolated as quantile_cont', () => {
    const a: Distribution = {
      n: 4,
      counts: [
        [1, 2],
        [3, 2],
      ],
    };
    const b: Distribution = {
      n: 3,
      counts: [
        [2, 1],
        [3, 1],
        [10, 1],
      ],
    };
    const d = mergeDistributions(a, b);
    expect(d.counts).toEqual([
      [1, 2],
      [2, 1],
      [3, 3],
      [10, 1],
    ]);
    expect(quantile(d, 0.5)).toEqual({ value: 3, rankError: 0 }); // 1 1 2 3 3 3 10
    expect(quantile(d, 0.25).value).toBe(1.5); // h = 1.5: between 1 and 2
    expect(quantile({ n: 0, counts: [] }, 0.5).value).toBeNull();
    // past the limit of distinct values, counts become a sketch (error 0 until pruned)
    const many = mergeDistributions(a, b, 3);
    expect(many.counts).toBeUndefined();
    expect(quantile(many, 0.5)).toEqual({ value: 3, rankError: 0 });
  });
});
