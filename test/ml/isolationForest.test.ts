import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/ml/frame.js';
import { fitIsolationForest, IsolationForest } from '../../src/ml/isolationForest.js';
import { Rng, sampleWithoutReplacement } from '../../src/ml/random.js';

function data(): Frame {
  const rng = new Rng(41);
  const n = 1000;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const g = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = rng.normal();
    y[i] = rng.normal();
    g[i] = rng.int(2);
  }
  // Rows 0-4 are far out; row 5 has a level no other row has; row 6 has missing x.
  for (let i = 0; i < 5; i++) {
    x[i] = 8 + i;
    y[i] = -8;
  }
  g[5] = 2;
  x[6] = NaN;
  return {
    nRows: n,
    features: [
      { name: 'x', kind: 'numeric', values: x },
      { name: 'y', kind: 'numeric', values: y },
      { name: 'g', kind: 'categorical', codes: g, levels: ['a', 'b', 'rare'] },
    ],
  };
}

describe('fitIsolationForest', () => {
  it('scores planted outliers highest and ordinary rows near 0.5', () => {
    const frame = data();
    const s = fitIsolationForest(frame, { seed: 1 }).score(frame);
    const order = Array.from(s.keys()).sort((a, b) => s[b]! - s[a]!);
    expect(order.slice(0, 5).sort()).toEqual([0, 1, 2, 3, 4]);
    for (let i = 0; i < 5; i++) expect(s[i]!).toBeGreaterThan(0.7);
    const ordinary = Array.from(s.slice(10));
    const median = ordinary.sort((a, b) => a - b)[Math.floor(ordinary.length / 2)]!;
    expect(median).toBeGreaterThan(0.35);
    expect(median).toBeLessThan(0.5);
    // The one row with a rare level stands out from rows otherwise like it.
    expect(s[5]!).toBeGreaterThan(median);
    expect(Number.isFinite(s[6]!)).toBe(true);
  });

  it('is seeded and survives a JSON round trip', () => {
    const frame = data();
    const a = fitIsolationForest(frame, { seed: 2, nTrees: 20 });
    const b = fitIsolationForest(frame, { seed: 2, nTrees: 20 });
    const c = fitIsolationForest(frame, { seed: 3, nTrees: 20 });
    expect(Array.from(a.score(frame))).toEqual(Array.from(b.score(frame)));
    expect(Array.from(a.score(frame))).not.toEqual(Array.from(c.score(frame)));
    const back = IsolationForest.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
    expect(Array.from(back.score(frame))).toEqual(Array.from(a.score(frame)));
  });
});

/** The trees of the plain recursive build (rows filtered into new arrays at each node): the reference. */
function referenceTrees(frame: Frame, nTrees: number, sampleSize: number, seed: number) {
  const psi = Math.min(sampleSize, frame.nRows);
  const maxDepth = Math.ceil(Math.log2(psi));
  const root = new Rng(seed);
  type T = { feature: number[]; threshold: number[]; missingLeft: number[]; left: number[]; right: number[]; size: number[]; levels: (number[] | null)[] };
  const grow = (t: T, rows: number[], depth: number, rng: Rng): number => {
    const id = t.feature.length;
    t.feature.push(-1);
    t.threshold.push(0);
    t.missingLeft.push(0);
    t.left.push(-1);
    t.right.push(-1);
    t.size.push(rows.length);
    t.levels.push(null);
    if (depth >= maxDepth || rows.length <= 1) return id;
    const F = frame.features.length;
    const start = rng.int(F);
    for (let k = 0; k < F; k++) {
      const fi = (start + k) % F;
      const f = frame.features[fi]!;
      const missingLeft = rng.float() < 0.5;
      let goLeft: (r: number) => boolean;
      if (f.kind === 'numeric') {
        const present = rows.map((r) => f.values[r]!).filter((v) => !Number.isNaN(v));
        const lo = Math.min(...present);
        const hi = Math.max(...present);
        if (!(hi > lo)) continue;
        let thr = rng.uniform(lo, hi);
        if (thr <= lo) thr = (lo + hi) / 2;
        t.threshold[id] = thr;
        goLeft = (r) => (Number.isNaN(f.values[r]!) ? missingLeft : f.values[r]! < thr);
      } else {
        const present = [...new Set(rows.map((r) => f.codes[r]!).filter((c) => c >= 0))].sort((a, b) => a - b);
        if (present.length < 2) continue;
        rng.shuffle(present);
        const left = present.slice(0, 1 + rng.int(present.length - 1)).sort((a, b) => a - b);
        t.levels[id] = left;
        goLeft = (r) => (f.codes[r]! < 0 ? missingLeft : left.includes(f.codes[r]!));
      }
      t.feature[id] = fi;
      t.missingLeft[id] = missingLeft ? 1 : 0;
      t.left[id] = grow(
        t,
        rows.filter((r) => goLeft(r)),
        depth + 1,
        rng,
      );
      t.right[id] = grow(
        t,
        rows.filter((r) => !goLeft(r)),
        depth + 1,
        rng,
      );
      return id;
    }
    return id;
  };
  return Array.from({ length: nTrees }, (_, i) => {
    const rng = root.derive(i);
    const t: T = { feature: [], threshold: [], missingLeft: [], left: [], right: [], size: [], levels: [] };
    grow(t, Array.from(sampleWithoutReplacement(rng, frame.nRows, psi)), 0, rng);
    return t;
  });
}

describe('fitIsolationForest grows the trees of the plain recursive build', () => {
  function mixed(n: number, seed: number): Frame {
    const rng = new Rng(seed);
    return {
      nRows: n,
      features: [
        { name: 'x', kind: 'numeric', values: Float64Array.from({ length: n }, () => (rng.float() < 0.1 ? NaN : rng.normal())) },
        { name: 'k', kind: 'numeric', values: Float64Array.from({ length: n }, () => rng.int(4)) },
        {
          name: 'g',
          kind: 'categorical',
          codes: Int32Array.from({ length: n }, () => (rng.float() < 0.05 ? -1 : rng.int(40))),
          levels: Array.from({ length: 41 }, (_, i) => `l${i}`),
        },
        { name: 'c', kind: 'numeric', values: new Float64Array(n).fill(3) },
        { name: 'h', kind: 'categorical', codes: Int32Array.from({ length: n }, () => rng.int(3)), levels: ['a', 'b', 'c'] },
      ],
    };
  }
  for (const [n, seed] of [
    [2000, 0],
    [10_000, 4],
    [100, 9],
    [2, 1],
  ] as const) {
    it(`${n} rows, seed ${seed}`, () => {
      const frame = mixed(n, seed + 100);
      const got = fitIsolationForest(frame, { seed, nTrees: 25 }).toJSON().trees;
      expect(got).toEqual(referenceTrees(frame, 25, 256, seed));
    });
  }
});
