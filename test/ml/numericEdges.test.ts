import { describe, expect, it } from 'vitest';
import { fitBinMapper } from '../../src/ml/gbdt/binMapper.js';
import { columnEdges, sortedEdges } from '../../src/ml/gbdt/numericEdges.js';
import { Rng } from '../../src/ml/random.js';

/** The reference: every non-NaN value, sorted. */
const bySort = (values: Float64Array, maxBins: number) => sortedEdges(values.filter((v) => !Number.isNaN(v)).sort(), maxBins);

describe('numeric bin edges from every row', () => {
  const rng = new Rng(5);
  const columns: [string, (i: number, n: number) => number][] = [
    ['normal', () => rng.normal()],
    ['normal with 20% NaN', () => (rng.float() < 0.2 ? NaN : rng.normal())],
    ['heavy ties (70% zeros) and a long tail', () => (rng.float() < 0.7 ? 0 : Math.exp(3 * rng.normal()))],
    ['integers 0..999', () => rng.int(1000)],
    ['sorted ascending', (i) => i / 7],
    ['sorted descending with steps', (i, n) => Math.floor((n - i) / 300)],
    ['periodic with the sample stride', (i) => (i % 9) * 1000 + rng.float()],
    ['values at 6 significant digits', () => Number((50 + 10 * rng.normal()).toPrecision(6))],
    ['infinities among normals', () => (rng.float() < 0.01 ? (rng.float() < 0.5 ? -Infinity : Infinity) : rng.normal())],
    ['200 distinct values', () => rng.int(200) * 0.5],
    ['255 distinct values', () => rng.int(255)],
    ['256 distinct values', () => rng.int(256)],
    ['250 common values and 3 rare ones the pivots miss', (i) => (i === 77_777 ? 0.25 : i === 101 ? 1e9 : i === 99_999 ? -1e9 : rng.int(250))],
    ['a constant', () => 42],
    ['NaN only', () => NaN],
    // Integers over a range no wider than the rows are counted, not sorted.
    ['small integers, negative ones and 10% NaN', () => (rng.float() < 0.1 ? NaN : rng.int(101) - 50)],
    ['ages in ten-year steps', () => 10 * rng.int(10) + 5],
    ['integers past 2^31', () => 2 ** 40 + rng.int(500)],
    ['minus zero among small integers', () => (rng.float() < 0.05 ? -0 : rng.int(40))],
    ['small integers and one fraction', (i) => (i === 1234 ? 2.5 : rng.int(40))],
    ['integers over a range wider than the rows', (_, n) => rng.int(3 * n)],
    ['small integers and an infinity', (i) => (i === 999 ? Infinity : rng.int(300))],
  ];
  for (const n of [150_000, 20_000]) {
    for (const [name, gen] of columns) {
      it(`are those of the sorted column: ${name}, ${n} rows`, () => {
        const values = Float64Array.from({ length: n }, (_, i) => gen(i, n));
        for (const maxBins of [255, 64, 32, 2]) {
          const got = columnEdges(values, maxBins);
          const want = bySort(values, maxBins);
          expect(got.nBins).toBe(want.nBins);
          expect(Array.from(got.edges)).toEqual(Array.from(want.edges));
          // The same numbers, -0 included (a counted column never holds -0: it is sorted).
          expect(got.edges.every((e, i) => Object.is(e, want.edges[i]))).toBe(true);
        }
      });
    }
  }

  it('do not depend on a seed: a frame past 200,000 rows gets the edges of all its rows', () => {
    const values = Float64Array.from({ length: 250_000 }, () => rng.normal());
    const m = fitBinMapper({ nRows: values.length, features: [{ name: 'x', kind: 'numeric', values }] }, { maxBins: 255 });
    const f = m.features[0]!;
    expect(f.kind).toBe('numeric');
    if (f.kind !== 'numeric') return;
    expect(Array.from(f.edges)).toEqual(Array.from(bySort(values, 255).edges));
    // The last of the 255 quantile bins holds its share of every row, not of a subsample's.
    expect(values.filter((v) => v > f.edges[f.edges.length - 1]!).length).toBe(250_000 - Math.floor((254 * 250_000) / 255) - 1);
  });
});
