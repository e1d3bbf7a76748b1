import { describe, expect, it } from 'vitest';
import { alignFrame } from '../../src/ml/alignFrame.js';
import type { Frame } from '../../src/ml/frame.js';
import { binColumns, binLayout } from '../../src/ml/gbdt/binned.js';
import { packedLeaf, packedRawScores, packTrees } from '../../src/ml/gbdt/packedTrees.js';
import { trainGbdt } from '../../src/ml/gbdt/trainGbdt.js';
import { Rng } from '../../src/ml/random.js';
import { blobs, xorData } from './synthetic.js';

/** A frame with one more categorical feature (10 levels, some rows missing) that bears on the class. */
function withCategory(data: { frame: Frame; target: { kind: string; codes?: Int32Array } }, seed: number): Frame {
  const rng = new Rng(seed);
  const n = data.frame.nRows;
  const codes = Int32Array.from({ length: n }, (_, r) =>
    rng.float() < 0.05 ? -1 : rng.float() < 0.6 ? (data.target.codes![r]! * 3 + rng.int(3)) % 10 : rng.int(10),
  );
  return { nRows: n, features: [...data.frame.features, { name: 'grade', kind: 'categorical', codes, levels: Array.from({ length: 10 }, (_, i) => `g${i}`) }] };
}

describe('packedRawScores on trees with categorical splits (four rows walk together)', () => {
  const cases = [
    ['binary, a categorical feature', xorData(4000, 5)],
    ['multiclass, a categorical feature added', blobs(4000, 6)],
  ] as const;
  for (const [name, data] of cases) {
    it(`gives bit for bit the one-row walks' sums: ${name}`, () => {
      const frame = name.startsWith('multiclass') ? withCategory(data, 7) : data.frame;
      const model = trainGbdt(frame, data.target, { maxIter: 25 });
      const packed = packTrees(model.trees, binLayout(model.mapper).nBins);
      expect(packed.numericOnly).toBe(false);
      const K = model.columns;
      const channel = Int32Array.from(model.trees, (_, i) => i % K);
      for (const n of [1003, 8, 5]) {
        const part: Frame = {
          nRows: n,
          features: frame.features.map((f) => (f.kind === 'numeric' ? { ...f, values: f.values.subarray(0, n) } : { ...f, codes: f.codes.subarray(0, n) })),
        };
        const bins = binColumns(model.mapper, alignFrame(model.schema, part));
        const got = new Float64Array(n * K);
        packedRawScores(packed, channel, model.init, bins, n, got);
        const want = new Float64Array(n * K);
        for (let r = 0; r < n; r++) for (let c = 0; c < K; c++) want[r * K + c] = model.init[c]!;
        packed.roots.forEach((root, t) => {
          for (let r = 0; r < n; r++) {
            const v = packedLeaf(packed, root, bins, n, r);
            for (let c = 0; c < packed.nOut[t]!; c++) want[r * K + channel[t]! + c]! += packed.values[v + c]!;
          }
        });
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    });
  }
});
