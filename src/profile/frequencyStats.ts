import type { Histogram } from './reportSchema.js';

/**
 * Statistics of a column from its frequency table (each distinct value with its count), in the
 * conventions of pandas / numpy so the results can be checked against them. A column with a
 * few thousand distinct values is summarised from a few thousand rows instead of all of them.
 */

/** pandas `_zero_out_fperr`: sums of powers this small are rounding noise. */
const zeroOut = (x: number) => (Math.abs(x) < 1e-14 ? 0 : x);

export interface Moments {
  count: number;
  mean: number | null;
  std: number | null;
  skewness: number | null;
  kurtosis: number | null;
}

/** Mean, sample std (ddof 1), bias-corrected skewness and excess kurtosis (pandas nanskew / nankurt). */
export function weightedMoments(xs: ArrayLike<number>, ns: ArrayLike<number>): Moments {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    count += ns[i]!;
    sum += xs[i]! * ns[i]!;
  }
  if (count === 0) return { count, mean: null, std: null, skewness: null, kurtosis: null };
  const mean = sum / count;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = xs[i]! - mean;
    const d2 = d * d;
    m2 += ns[i]! * d2;
    m3 += ns[i]! * d2 * d;
    m4 += ns[i]! * d2 * d2;
  }
  m2 = zeroOut(m2);
  m3 = zeroOut(m3);
  m4 = zeroOut(m4);
  const std = count > 1 ? Math.sqrt(m2 / (count - 1)) : null;
  const skewness = count < 3 ? null : m2 === 0 ? 0 : ((count * Math.sqrt(count - 1)) / (count - 2)) * (m3 / m2 ** 1.5);
  let kurtosis: number | null = null;
  if (count >= 4) {
    const adj = (3 * (count - 1) ** 2) / ((count - 2) * (count - 3));
    const num = count * (count + 1) * (count - 1) * m4;
    const den = (count - 2) * (count - 3) * m2 * m2;
    kurtosis = den === 0 ? 0 : num / den - adj;
  }
  return { count, mean, std, skewness, kurtosis };
}

/** numpy's linear interpolation (exact at both ends). */
function lerp(a: number, b: number, t: number): number {
  const d = b - a;
  return t >= 0.5 ? b - d * (1 - t) : a + d * t;
}

/** Quantiles with linear interpolation (numpy / pandas default) from values sorted ascending with counts. */
export function weightedQuantiles(xs: ArrayLike<number>, ns: ArrayLike<number>, probs: readonly number[]): Array<number | null> {
  let total = 0;
  for (let i = 0; i < ns.length; i++) total += ns[i]!;
  if (total === 0) return probs.map(() => null);
  const cum: number[] = [];
  let c = 0;
  for (let i = 0; i < ns.length; i++) cum.push((c += ns[i]!));
  // The value at sorted position j (0-based).
  const at = (j: number): number => {
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid]! > j) hi = mid;
      else lo = mid + 1;
    }
    return xs[lo]!;
  };
  return probs.map((p) => {
    const h = (total - 1) * p;
    const lo = Math.floor(h);
    const t = h - lo;
    return lerp(at(lo), at(Math.min(lo + 1, total - 1)), t);
  });
}

/** numpy.histogram's bin of x for edges from `histogramEdges` (fast path, then corrected on the edges). */
export function histogramBin(x: number, edges: number[]): number {
  const bins = edges.length - 1;
  const first = edges[0]!;
  const norm = bins / (edges[bins]! - first);
  let b = Math.floor((x - first) * norm);
  if (b >= bins) b = bins - 1;
  if (b < 0) b = 0;
  if (x < edges[b]!) b -= 1;
  else if (b < bins - 1 && x >= edges[b + 1]!) b += 1;
  return Math.min(Math.max(b, 0), bins - 1);
}

/** A histogram from a frequency table. */
export function weightedHistogram(xs: ArrayLike<number>, ns: ArrayLike<number>, edges: number[]): Histogram {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (let i = 0; i < xs.length; i++) counts[histogramBin(xs[i]!, edges)]! += ns[i]!;
  return { edges, counts };
}

/** A decimal number as DuckDB's `TRY_CAST(... AS DOUBLE)` reads one (after trimming). */
export const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^[+-]?(inf|infinity|nan)$/i;
