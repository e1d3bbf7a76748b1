import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/ml/frame.js';
import { fitIsolationForest, IsolationForest } from '../../src/ml/isolationForest.js';
import { Rng } from '../../src/ml/random.js';

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
