import type { Engine } from '../engine/Engine.js';

/** A column's value -> average rank lookup, from its sorted distinct values and their counts. */
interface RankOf {
  /** The mean of the column's values (the shift of its centred sums). */
  mean: number;
  rank(x: number): number;
}

/** Integer columns whose range is at most this wide look their ranks up in a table. */
const MAX_TABLE = 1 << 22;

function rankOf(values: Float64Array, counts: Float64Array, from: number, to: number): RankOf {
  const d = to - from;
  const v = values.subarray(from, to);
  const ranks = new Float64Array(d);
  let cum = 0;
  let total = 0;
  let n = 0;
  for (let k = 0; k < d; k++) {
    const c = counts[from + k]!;
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
  const ranks: RankOf[] = [];
  let rows = 0;
  for (let c = 0, from = 0; c < k; c++) {
    let to = from;
    while (to < ci.length && ci[to] === c) to++;
    if (to === from) return undefined;
    ranks.push(rankOf(cv, cn, from, to));
    if (c === 0) for (let r = from; r < to; r++) rows += cn[r]!;
    from = to;
  }
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
  await engine.scanDoubleChunks(`SELECT ${cols.join(', ')} FROM ${v}`, (columns, n) => {
    if (dx.length === 0 || dx[0]!.length < n) {
      dx = cols.map(() => new Float64Array(n));
      dr = cols.map(() => new Float64Array(n));
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
