import { denseTable } from './stats.js';

/**
 * The report's rows already held in memory (the model frame, when it holds every row): column
 * by column, in the relation's order, so that the correlations can be computed from them
 * instead of querying the engine again. Each accessor answers undefined for a column it does
 * not hold exactly (the caller then queries).
 */
export interface RowsInMemory {
  /** Rows of the relation (every one is held). */
  rows: number;
  /** The column's values as `column::DOUBLE` gives them, NaN where missing. */
  numeric(column: string): Float64Array | undefined;
  /**
   * The column's values as codes, one per distinct present value (any numbering), -1 where
   * missing: what a GROUP BY on the column tells apart.
   */
  codes(column: string): Int32Array | undefined;
}

/**
 * Codes of the distinct values of a numeric column (NaN is -1), for a {@link RowsInMemory}
 * whose column is held as numbers: the value's offset from the smallest for integers spanning
 * no more values than the rows (flags, counts), else in order of first appearance.
 */
export function codesOfValues(values: Float64Array): Int32Array {
  const n = values.length;
  const out = new Int32Array(n);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let r = 0; r < n && integers; r++) {
    const v = values[r]!;
    if (v !== v) continue;
    if (v - Math.floor(v) !== 0) integers = false;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (integers && hi - lo < n) {
    for (let r = 0; r < n; r++) {
      const v = values[r]!;
      out[r] = v !== v ? -1 : v - lo;
    }
    return out;
  }
  const index = new Map<number, number>();
  for (let r = 0; r < n; r++) {
    const v = values[r]!;
    if (v !== v) {
      out[r] = -1;
      continue;
    }
    let c = index.get(v);
    if (c === undefined) {
      c = index.size;
      index.set(v, c);
    }
    out[r] = c;
  }
  return out;
}

/**
 * Contingency tables of pairs of coded columns (rows where both are present, as pandas'
 * crosstab): the counts a GROUP BY of the pair gives, each table the {@link denseTable} of its
 * cells in order of first appearance.
 */
export function contingencyOfCodes(pairs: Array<[Int32Array, Int32Array]>): number[][][] {
  return pairs.map(([a, b]) => {
    let na = 0;
    let nb = 0;
    for (let r = 0; r < a.length; r++) {
      if (a[r]! >= na) na = a[r]! + 1;
      if (b[r]! >= nb) nb = b[r]! + 1;
    }
    const count = new Float64Array(na * nb);
    const order: number[] = [];
    for (let r = 0; r < a.length; r++) {
      const x = a[r]!;
      const y = b[r]!;
      if (x < 0 || y < 0) continue;
      const cell = x * nb + y;
      if (count[cell]!++ === 0) order.push(cell);
    }
    return denseTable(order.map((cell) => ({ x: Math.floor(cell / nb), y: cell % nb, n: count[cell]! })));
  });
}
