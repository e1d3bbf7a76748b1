import type { Engine } from '../engine/Engine.js';

/** A column's value -> average rank lookup, from its sorted distinct values and their counts. */
interface RankOf {
  /** The mean of the column's values (the shift of its centred sums). */
  mean: number;
  rank(x: number): number;
}

/** A column's distinct values, ascending, and how many rows hold each. */
export interface ValueCounts {
  values: Float64Array;
  counts: Float64Array;
}

/** Integer columns whose range is at most this wide look their ranks up in a table. */
const MAX_TABLE = 1 << 22;

/** Rows a chunk of the in-memory pass sums before adding to the totals: DuckDB's vector size, as its scan hands them over. */
const CHUNK = 2048;

function rankOf({ values: v, counts }: ValueCounts): RankOf {
  const d = v.length;
  const ranks = new Float64Array(d);
  let cum = 0;
  let total = 0;
  let n = 0;
  for (let k = 0; k < d; k++) {
    const c = counts[k]!;
    cum += c;
    ranks[k] = cum - (c - 1) / 2;
    total += c * v[k]!;
    n += c;
  }
  const mean = total / n;
  const lo = v[0]!;
  const hi = v[d - 1]!;
  let integers = hi - lo < MAX_TABLE;
  for (let k = 0; integers && k < d; k++) integers = Number.isInteger(v[k]!);
  if (integers) {
    const table = new Float64Array(hi - lo + 1);
    for (let k = 0; k < d; k++) table[v[k]! - lo] = ranks[k]!;
    return { mean, rank: (x) => table[x - lo]! };
  }
  return {
    mean,
    rank(x) {
      let a = 0;
      let b = d - 1;
      while (a < b) {
        const m = (a + b) >> 1;
        if (v[m]! < x) a = m + 1;
        else b = m;
      }
      return ranks[a]!;
    },
  };
}

/**
 * Pearson and Spearman (Pearson of average ranks) of pairs of complete numeric columns, in one
 * streamed pass over the rows: each column's sorted value counts first (its ranks and mean), then
 * every pair's sums of products of shifted values and ranks, chunk by chunk. Shifted by the
 * column's mean and corrected by the shifted sums (Σ(x-a)(y-b) - Σ(x-a)Σ(y-b)/N), which is the
 * two-pass centred formula pandas uses, with per-chunk partial sums. Undefined where a column
 * holds NaN or an infinity: the caller's SQL path decides those.
 *
 * `cols` are SQL expressions of DOUBLE columns without NULLs; `pairs` index into them.
 */
export async function completePairCorrelations(
  engine: Engine,
  v: string,
  cols: string[],
  pairs: Array<{ i: number; j: number }>,
): Promise<Array<{ p: number; s: number }> | undefined> {
  const k = cols.length;
  const [ci, cv, cn] = (await engine.readColumns(
    `SELECT * FROM (${cols.map((c, i) => `SELECT ${i}::DOUBLE AS c, ${c} AS v, count(*)::DOUBLE AS n FROM ${v} GROUP BY 2`).join(' UNION ALL ')}) ORDER BY c, v`,
    ['double', 'double', 'double'],
  )) as [Float64Array, Float64Array, Float64Array];
  for (let r = 0; r < cv.length; r++) if (!Number.isFinite(cv[r]!)) return undefined;
  const counts: ValueCounts[] = [];
  for (let c = 0, from = 0; c < k; c++) {
    let to = from;
    while (to < ci.length && ci[to] === c) to++;
    if (to === from) return undefined;
    counts.push({ values: cv.subarray(from, to), counts: cn.subarray(from, to) });
    from = to;
  }
  return pairSums(counts, pairs, (onChunk) => engine.scanDoubleChunks(`SELECT ${cols.join(', ')} FROM ${v}`, onChunk));
}

/**
 * {@link completePairCorrelations} of columns already in memory (every row of the relation, in
 * its order, none missing): the value counts counted here, the rows summed in chunks of DuckDB's
 * vector size, so the same sums in the same order as the SQL pass, and the same results.
 */
export async function completePairCorrelationsOf(
  columns: Float64Array[],
  pairs: Array<{ i: number; j: number }>,
): Promise<Array<{ p: number; s: number }> | undefined> {
  const counts: ValueCounts[] = [];
  for (const x of columns) {
    const c = valueCounts(x);
    if (!c) return undefined;
    counts.push(c);
  }
  const n = columns[0]?.length ?? 0;
  return pairSums(counts, pairs, (onChunk) => {
    for (let from = 0; from < n; from += CHUNK) {
      const to = Math.min(n, from + CHUNK);
      onChunk(
        columns.map((x) => x.subarray(from, to)),
        to - from,
      );
    }
  });
}

/**
 * The distinct values of a column, ascending, with their counts: counted over the range for
 * integers spanning no more values than the rows, else from a sorted copy. Undefined when a
 * value is NaN or infinite (or the column empty).
 */
export function valueCounts(x: Float64Array): ValueCounts | undefined {
  const n = x.length;
  if (n === 0) return undefined;
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let r = 0; r < n; r++) {
    const v = x[r]!;
    if (!Number.isFinite(v)) return undefined;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    // -0 sorts before 0 in a sort but not in a count: such a column is sorted.
    if (integers && (v - Math.floor(v) !== 0 || (v === 0 && 1 / v < 0))) integers = false;
  }
  if (integers && hi - lo < n) {
    const count = new Float64Array(hi - lo + 1);
    for (let r = 0; r < n; r++) count[x[r]! - lo]!++;
    let d = 0;
    for (let k = 0; k < count.length; k++) if (count[k]! > 0) d++;
    const values = new Float64Array(d);
    const counts = new Float64Array(d);
    for (let k = 0, j = 0; k < count.length; k++) {
      if (count[k]! === 0) continue;
      values[j] = lo + k;
      counts[j++] = count[k]!;
    }
    return { values, counts };
  }
  const sorted = x.slice().sort();
  let d = 0;
  for (let r = 0; r < n; r++) if (r === 0 || sorted[r] !== sorted[r - 1]) d++;
  const values = new Float64Array(d);
  const counts = new Float64Array(d);
  for (let r = 0, j = -1; r < n; r++) {
    if (r === 0 || sorted[r] !== sorted[r - 1]) values[++j] = sorted[r]!;
    counts[j]!++;
  }
  return { values, counts };
}

/** The pass behind both entries: ranks and means from the value counts, then the chunked sums. */
async function pairSums(
  counts: ValueCounts[],
  pairs: Array<{ i: number; j: number }>,
  scan: (onChunk: (columns: Float64Array[], n: number) => void) => Promise<void> | void,
): Promise<Array<{ p: number; s: number }>> {
  const k = counts.length;
  const ranks = counts.map(rankOf);
  let rows = 0;
  if (k > 0) for (const c of counts[0]!.counts) rows += c;
  const midRank = (rows + 1) / 2;
  // Sums per column (shifted values and ranks, and their squares) and per pair.
  const sx = new Float64Array(k);
  const sr = new Float64Array(k);
  const sxx = new Float64Array(k);
  const srr = new Float64Array(k);
  const sxy = new Float64Array(pairs.length);
  const srs = new Float64Array(pairs.length);
  let dx: Float64Array[] = [];
  let dr: Float64Array[] = [];
  await scan((columns, n) => {
    if (dx.length === 0 || dx[0]!.length < n) {
      dx = counts.map(() => new Float64Array(n));
      dr = counts.map(() => new Float64Array(n));
    }
    for (let c = 0; c < k; c++) {
      const x = columns[c]!;
      const a = dx[c]!;
      const b = dr[c]!;
      const { mean, rank } = ranks[c]!;
      let s1 = 0;
      let s2 = 0;
      let t1 = 0;
      let t2 = 0;
      for (let r = 0; r < n; r++) {
        const xv = x[r]!;
        const d = xv - mean;
        const e = rank(xv) - midRank;
        a[r] = d;
        b[r] = e;
        s1 += d;
        s2 += d * d;
        t1 += e;
        t2 += e * e;
      }
      sx[c] = sx[c]! + s1;
      sxx[c] = sxx[c]! + s2;
      sr[c] = sr[c]! + t1;
      srr[c] = srr[c]! + t2;
    }
    for (let q = 0; q < pairs.length; q++) {
      const { i, j } = pairs[q]!;
      const a = dx[i]!;
      const b = dx[j]!;
      const e = dr[i]!;
      const f = dr[j]!;
      let s = 0;
      let t = 0;
      for (let r = 0; r < n; r++) {
        s += a[r]! * b[r]!;
        t += e[r]! * f[r]!;
      }
      sxy[q] = sxy[q]! + s;
      srs[q] = srs[q]! + t;
    }
  });
  const corr = (sab: number, sa: number, sb: number, saa: number, sbb: number) =>
    (sab - (sa * sb) / rows) / Math.sqrt((saa - (sa * sa) / rows) * (sbb - (sb * sb) / rows));
  return pairs.map(({ i, j }, q) => ({
    p: corr(sxy[q]!, sx[i]!, sx[j]!, sxx[i]!, sxx[j]!),
    s: corr(srs[q]!, sr[i]!, sr[j]!, srr[i]!, srr[j]!),
  }));
}
