import { interpolate, mergeSketches, pruneSketch, SKETCH_SIZE, sketchQuantile, type QuantileSketch } from './QuantileSketch.js';

/**
 * The values of a numeric column in one partition (or several merged): exact value counts while
 * the distinct values are few (at most `limit`), otherwise a {@link QuantileSketch}. Quantiles
 * from counts are exact; from a sketch they carry a stated rank error.
 */
export interface Distribution {
  n: number;
  /** [value, count], sorted by value; absent once the distinct values passed the limit. */
  counts?: [number, number][];
  sketch?: QuantileSketch;
}

/** Distinct values kept as exact counts before a distribution becomes a sketch. */
export const EXACT_LIMIT = 10_000;

export const EMPTY: Distribution = { n: 0, counts: [] };

/** A sketch of exact counts: each distinct value at its first and last rank (error 0). */
function countsToSketch(counts: [number, number][]): QuantileSketch {
  const entries: [number, number, number][] = [];
  let r = 0;
  for (const [v, c] of counts) {
    entries.push([v, r + 1, r + 1]);
    if (c > 1) entries.push([v, r + c, r + c]);
    r += c;
  }
  return { n: r, error: 0, entries };
}

function asSketch(d: Distribution): QuantileSketch {
  return d.sketch ?? countsToSketch(d.counts ?? []);
}

/** Merges two distributions of disjoint data (two partitions). */
export function mergeDistributions(a: Distribution, b: Distribution, limit = EXACT_LIMIT, size = SKETCH_SIZE): Distribution {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  if (a.counts && b.counts) {
    const merged: [number, number][] = [];
    let i = 0;
    let j = 0;
    while (i < a.counts.length || j < b.counts.length) {
      const x = a.counts[i];
      const y = b.counts[j];
      if (x && (!y || x[0] < y[0])) {
        merged.push([x[0], x[1]]);
        i++;
      } else if (y && (!x || y[0] < x[0])) {
        merged.push([y[0], y[1]]);
        j++;
      } else {
        merged.push([x![0], x![1] + y![1]]);
        i++;
        j++;
      }
    }
    if (merged.length <= limit) return { n: a.n + b.n, counts: merged };
  }
  const s = mergeSketches(asSketch(a), asSketch(b));
  // Keep the size bounded: prune when the merged entries pass 8 B (each prune adds n / (2B)).
  return { n: s.n, sketch: s.entries.length > 8 * (size + 1) ? pruneSketch(s, size) : s };
}

/** The value at 0-based position i of the sorted values (exact counts). */
function valueAt(counts: [number, number][], i: number): number {
  let seen = 0;
  for (const [v, c] of counts) {
    seen += c;
    if (i < seen) return v;
  }
  return counts[counts.length - 1]![0];
}

export interface Quantile {
  value: number | null;
  /** 0 when exact; else the guaranteed rank error of each of the two values interpolated. */
  rankError: number;
}

/**
 * The q-quantile as DuckDB's quantile_cont computes it (position h = q (n - 1), the values at
 * floor(h) and ceil(h), lo (1 - d) + hi d with d = h - floor(h)): exact from counts; from a sketch each of
 * the two values is one whose rank is within `rankError` of the true one.
 */
export function quantile(d: Distribution, q: number): Quantile {
  if (d.n === 0) return { value: null, rankError: 0 };
  if (d.counts) {
    const h = q * (d.n - 1);
    const lo = Math.floor(h);
    const hi = Math.ceil(h);
    const a = valueAt(d.counts, lo);
    if (hi === lo) return { value: a, rankError: 0 };
    const b = valueAt(d.counts, hi);
    return { value: interpolate(a, b, h - lo), rankError: 0 };
  }
  return { value: sketchQuantile(d.sketch!, q), rankError: d.sketch!.error };
}
