/**
 * A mergeable quantile summary with a guaranteed rank error (Greenwald and Khanna's COMBINE and
 * PRUNE, "Power-conserving computation of order-statistics over sensor networks", PODS 2004).
 *
 * Each entry is one value of the data with bounds on its rank (1-based) among the `n` values:
 * `rmin <= rank <= rmax`. A sketch with error `e` has, for every rank r in 1..n, an entry whose
 * rank is certainly within r ± e. Merging sketches of disjoint data adds their errors (relative to
 * the merged count the error stays at most the larger relative error); pruning to `B + 1`
 * entries adds n / (2B). A partition's sketch is taken from its sorted values at exact ranks.
 */
export interface QuantileSketch {
  n: number;
  /** The guaranteed rank error, in ranks (not a fraction). */
  error: number;
  /** [value, rmin, rmax], sorted by value. */
  entries: [number, number, number][];
}

/** Entries kept by a prune: B + 1 (rank error n / (2B) per prune). */
export const SKETCH_SIZE = 1024;

/** The ranks (1-based) a partition's sketch is taken at: B + 1 of them, from 1 to n. */
export function sketchRanks(n: number, size = SKETCH_SIZE): number[] {
  if (n <= 0) return [];
  const ranks = new Set<number>();
  for (let j = 0; j <= size; j++) ranks.add(1 + Math.round((j * (n - 1)) / size));
  return [...ranks].sort((a, b) => a - b);
}

/**
 * A sketch of n values given at exact ranks (from {@link sketchRanks}): consecutive ranks are at
 * most ceil((n - 1) / B) apart, so every rank is within half of that of one of them.
 */
export function sketchAtRanks(n: number, at: [rank: number, value: number][]): QuantileSketch {
  const entries = at.map(([r, v]) => [v, r, r] as [number, number, number]);
  return { n, error: gapError(entries), entries };
}

/** The rank error that follows from the entries themselves: max over neighbours of (rmax' - rmin) / 2. */
function gapError(entries: [number, number, number][]): number {
  let e = 0;
  for (let i = 1; i < entries.length; i++) e = Math.max(e, (entries[i]![2] - entries[i - 1]![1]) / 2);
  return e;
}

/** Sketches of disjoint data combined (GK COMBINE): error e1 + e2. */
export function mergeSketches(a: QuantileSketch, b: QuantileSketch): QuantileSketch {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  // One total order of the union: by value, then a's entries before b's (a valid order of the
  // merged multiset, so each entry's rank is bounded by its own and the other sketch's neighbours).
  const out: [number, number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.entries.length || j < b.entries.length) {
    const takeA = j >= b.entries.length || (i < a.entries.length && a.entries[i]![0] <= b.entries[j]![0]);
    if (takeA) {
      const [v, rmin, rmax] = a.entries[i]!;
      const before = b.entries[j - 1]; // the last of b ordered before this entry
      const after = b.entries[j]; // the first of b ordered after it
      out.push([v, rmin + (before ? before[1] : 0), rmax + (after ? after[2] - 1 : b.n)]);
      i++;
    } else {
      const [v, rmin, rmax] = b.entries[j]!;
      const before = a.entries[i - 1];
      const after = a.entries[i];
      out.push([v, rmin + (before ? before[1] : 0), rmax + (after ? after[2] - 1 : a.n)]);
      j++;
    }
  }
  return { n: a.n + b.n, error: a.error + b.error, entries: out };
}

/** The entry whose rank is certainly closest to r (1-based): within the sketch's error of it. */
export function entryAtRank(s: QuantileSketch, r: number): [number, number, number] {
  let best = s.entries[0]!;
  let bestMiss = Number.POSITIVE_INFINITY;
  for (const e of s.entries) {
    const miss = Math.max(r - e[1], e[2] - r);
    if (miss < bestMiss) {
      best = e;
      bestMiss = miss;
    }
  }
  return best;
}

/** GK PRUNE: B + 1 entries, at ranks 1, 1 + (n-1)/B, ..., n; the error grows by n / (2B). */
export function pruneSketch(s: QuantileSketch, size = SKETCH_SIZE): QuantileSketch {
  if (s.entries.length <= size + 1) return s;
  const kept: [number, number, number][] = [];
  for (let j = 0; j <= size; j++) {
    const e = entryAtRank(s, 1 + (j * (s.n - 1)) / size);
    if (kept[kept.length - 1] !== e) kept.push(e);
  }
  return { n: s.n, error: s.error + s.n / (2 * size), entries: kept };
}

/**
 * The q-quantile with linear interpolation between the values at 0-based positions floor(h)
 * and ceil(h), h = q (n - 1), as DuckDB's quantile_cont computes it exactly. From a
 * sketch each of the two values is the value at a rank within `error` of the true one.
 */
export function sketchQuantile(s: QuantileSketch, q: number): number {
  const h = q * (s.n - 1);
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  const a = entryAtRank(s, lo + 1)[0];
  if (hi === lo) return a;
  const b = entryAtRank(s, hi + 1)[0];
  return interpolate(a, b, h - lo);
}

/**
 * Between two neighbouring values, as DuckDB 1.5 interpolates (lo (1 - d) + hi d; the form
 * lo + (hi - lo) d can differ in the last place, test/flow/partitions/conformance.test.ts).
 */
export function interpolate(lo: number, hi: number, d: number): number {
  return lo * (1 - d) + hi * d;
}
