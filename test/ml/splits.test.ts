import { describe, expect, it } from 'vitest';
import type { Target } from '../../src/ml/frame.js';
import { Rng, sampleWithoutReplacement } from '../../src/ml/random.js';
import { stratifiedHoldout } from '../../src/ml/splits/stratifiedHoldout.js';
import { stratifiedKFold } from '../../src/ml/splits/stratifiedKFold.js';

function target(counts: number[]): Target {
  const codes: number[] = [];
  counts.forEach((c, k) => {
    for (let i = 0; i < c; i++) codes.push(k);
  });
  // Interleave so classes are not contiguous.
  const rng = new Rng(3);
  const arr = Int32Array.from(codes);
  rng.shuffle(arr);
  return { kind: 'classification', codes: arr, labels: counts.map((_, k) => `c${k}`) };
}

describe('Rng', () => {
  it('is reproducible and seed-sensitive', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(sa);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(sa);
  });
  it('draws uniform floats with the right mean and normals with unit variance', () => {
    const r = new Rng(1);
    let s = 0;
    let s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) s += r.float();
    for (let i = 0; i < n; i++) s2 += r.normal() ** 2;
    expect(s / n).toBeCloseTo(0.5, 2);
    expect(s2 / n).toBeCloseTo(1, 1);
  });
  it('samples distinct sorted indices', () => {
    const r = new Rng(5);
    for (const [n, k] of [
      [1000, 10],
      [1000, 600],
      [10, 20],
    ] as const) {
      const s = sampleWithoutReplacement(r, n, k);
      expect(s.length).toBe(Math.min(n, k));
      expect(new Set(s).size).toBe(s.length);
      for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
    }
  });

  it("draws the same sample with a byte per row as Floyd's algorithm with a Set (the seeded bins and subsamples depend on it)", () => {
    for (const [n, k] of [
      [800_000, 200_000],
      [1000, 16],
      [1000, 200],
    ] as const) {
      const rng = new Rng(5);
      const chosen = new Set<number>();
      for (let j = n - k; j < n; j++) {
        const t = rng.int(j + 1);
        chosen.add(chosen.has(t) ? j : t);
      }
      expect(Array.from(sampleWithoutReplacement(new Rng(5), n, k))).toEqual(Array.from(chosen).sort((a, b) => a - b));
    }
  });
});

describe('stratifiedHoldout', () => {
  it('keeps class proportions and partitions the rows', () => {
    const t = target([600, 300, 100]);
    const { train, test } = stratifiedHoldout(t, { testFraction: 0.2, seed: 0 });
    expect(train.length + test.length).toBe(1000);
    expect(new Set([...train, ...test]).size).toBe(1000);
    const codes = t.kind === 'classification' ? t.codes : new Int32Array();
    const inTest = [0, 0, 0];
    for (const r of test) inTest[codes[r]!]!++;
    expect(inTest).toEqual([120, 60, 20]);
    const again = stratifiedHoldout(t, { testFraction: 0.2, seed: 0 });
    expect(Array.from(again.test)).toEqual(Array.from(test));
    expect(Array.from(stratifiedHoldout(t, { testFraction: 0.2, seed: 1 }).test)).not.toEqual(Array.from(test));
  });
  it('keeps a row of a two-row class on each side', () => {
    const { train, test } = stratifiedHoldout(target([50, 2]), { testFraction: 0.1, seed: 0 });
    expect(train.length).toBe(52 - test.length);
    expect(test.length).toBe(6);
  });
  it('stratifies a regression target by deciles', () => {
    const values = Float64Array.from({ length: 500 }, (_, i) => i);
    const { test } = stratifiedHoldout({ kind: 'regression', values }, { testFraction: 0.2, seed: 0 });
    expect(test.length).toBe(100);
    const perDecile = new Array(10).fill(0);
    for (const r of test) perDecile[Math.floor(r / 50)]++;
    expect(perDecile).toEqual(new Array(10).fill(10));
  });
  it('rejects a fraction outside (0, 1)', () => {
    expect(() => stratifiedHoldout(target([5, 5]), { testFraction: 1 })).toThrow(/between 0 and 1/);
  });
});

describe('stratifiedKFold', () => {
  it('gives disjoint test folds covering all rows, each stratified', () => {
    const t = target([500, 250, 50]);
    const folds = stratifiedKFold(t, { k: 5, seed: 0 });
    expect(folds.length).toBe(5);
    const seen = new Uint8Array(800);
    const codes = t.kind === 'classification' ? t.codes : new Int32Array();
    for (const f of folds) {
      expect(f.train.length + f.test.length).toBe(800);
      const per = [0, 0, 0];
      for (const r of f.test) {
        seen[r]!++;
        per[codes[r]!]!++;
      }
      expect(per).toEqual([100, 50, 10]);
    }
    expect(seen.every((s) => s === 1)).toBe(true);
  });
  it('rejects k < 2', () => {
    expect(() => stratifiedKFold(target([5, 5]), { k: 1 })).toThrow(/at least 2/);
  });
});
