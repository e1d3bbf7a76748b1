import { describe, expect, it } from 'vitest';
import { rowsToFrame } from '../../src/data/rowsToFrame.js';
import type { Frame } from '../../src/ml/frame.js';
import { trainGbdt } from '../../src/ml/gbdt/trainGbdt.js';
import { blobs, regressionData, xorData } from './synthetic.js';

/** The frame's rows as the endpoint's transformed records, with odd values mixed in. */
function rowsOf(frame: Frame): Record<string, unknown>[] {
  const odd: unknown[] = [null, undefined, Number.NaN, Number.POSITIVE_INFINITY, '', ' 1.5 ', 'not a number', true, 'unseen-level', 7];
  return Array.from({ length: frame.nRows }, (_, r) => {
    const row: Record<string, unknown> = {};
    for (const [f, feat] of frame.features.entries()) {
      if ((r + f) % 17 === 0) row[feat.name] = odd[(r + f) % odd.length];
      else row[feat.name] = feat.kind === 'numeric' ? feat.values[r] : feat.codes[r]! < 0 ? null : feat.levels[feat.codes[r]!];
    }
    return row;
  });
}

describe('GBDT row scorer (one record without a frame)', () => {
  const cases = [
    ['multiclass', blobs(3000, 1)],
    ['binary', xorData(3000, 2)],
    ['regression', regressionData(3000, 3)],
  ] as const;
  for (const [name, data] of cases) {
    it(`gives bit for bit the frame path's output: ${name}`, () => {
      const model = trainGbdt(data.frame, data.target, { maxIter: 30 });
      const rows = rowsOf(data.frame).slice(0, 500);
      const expected = model.output(rowsToFrame(rows, model.schema));
      const score = model.rowScorer();
      const got = new Float64Array(expected.length).fill(-1);
      for (let r = 0; r < rows.length; r++) score(rows[r]!, got, r * model.width);
      expect(Array.from(got)).toEqual(Array.from(expected));
      // The odd values really reached the trees (missing and unseen routes), not only plain rows.
      expect(rows.some((x) => Object.values(x).includes('unseen-level') || Object.values(x).includes(null))).toBe(true);
    });

    it(`scores a batch tree by tree bit for bit as row by row, into the places asked: ${name}`, () => {
      const model = trainGbdt(data.frame, data.target, { maxIter: 30 });
      const rows = rowsOf(data.frame).slice(0, 700);
      const w = model.width;
      const one = model.rowScorer();
      const expected = new Float64Array(rows.length * w);
      for (let r = 0; r < rows.length; r++) one(rows[r]!, expected, r * w);
      // Rows go to reversed places, as the record scorer's refused records leave gaps.
      const at = rows.map((_, j) => rows.length - 1 - j);
      const got = new Float64Array(rows.length * w).fill(-1);
      model.rowsScorer()!(rows, at, got);
      const want = new Float64Array(rows.length * w);
      for (let j = 0; j < rows.length; j++) want.set(expected.subarray(j * w, (j + 1) * w), at[j]! * w);
      expect(Array.from(got)).toEqual(Array.from(want));
      expect(Array.from(got)).toEqual(Array.from(model.output(rowsToFrame(rows.slice().reverse(), model.schema))));
    });

    it(`scores batches of every size bit for bit as the frame path (four rows walk together, the rest one by one): ${name}`, () => {
      const model = trainGbdt(data.frame, data.target, { maxIter: 30 });
      const all = rowsOf(data.frame);
      const w = model.width;
      for (const n of [2, 3, 5, 6, 7, 9, 701]) {
        const rows = all.slice(n, 2 * n);
        const got = new Float64Array(n * w).fill(-1);
        model.rowsScorer()!(
          rows,
          rows.map((_, j) => j),
          got,
        );
        expect(Array.from(got)).toEqual(Array.from(model.output(rowsToFrame(rows, model.schema))));
      }
    });
  }
});
