/**
 * Whether one model's holdout loss is "equal or better" than another's, judged over several
 * draws of the train/holdout split rather than on one: each draw gives a paired difference
 * `d = ours − theirs` (same rows on both sides), and the question is a non-inferiority test on
 * the mean of `d`. One split cannot answer it: at 1M rows a single draw moves the difference
 * of Sluice's GBDT and HistGradientBoosting between −0.0004 and +0.0011 (docs/benchmarks.md).
 *
 * - `upper`: the one-sided 95% upper confidence bound of the mean difference, `mean + t95 · sd/√n`
 *   (Student's t with n − 1 degrees of freedom); `lower` the one-sided 95% lower bound.
 * - Verdict, with `margin` δ the largest difference taken as "equal" (non-inferiority margin):
 *   `better` when `upper < 0`; `equal or better` when `upper < δ` (worse by less than δ at 95%
 *   confidence); `worse` when `lower > 0`; otherwise `not shown` (too few splits or too noisy to
 *   tell). "No significant difference" alone is not "equal": with few splits the interval is wide.
 */

/** Student's t quantile 0.95 for 1..30 degrees of freedom. */
const T95 = [
  6.314, 2.92, 2.353, 2.132, 2.015, 1.943, 1.895, 1.86, 1.833, 1.812, 1.796, 1.782, 1.771, 1.761, 1.753, 1.746, 1.74, 1.734, 1.729, 1.725, 1.721, 1.717, 1.714,
  1.711, 1.708, 1.706, 1.703, 1.701, 1.699, 1.697,
];

/** The 0.95 quantile of Student's t with `df` degrees of freedom (df ≥ 1; past 30 the value at 30, a little conservative). */
export function t95(df: number): number {
  if (!Number.isInteger(df) || df < 1) throw new Error(`t95: degrees of freedom must be an integer >= 1, got ${df}`);
  return T95[Math.min(df, 30) - 1]!;
}

export type PairedVerdict = 'better' | 'equal or better' | 'not shown' | 'worse';

export interface PairedSummary {
  n: number;
  mean: number;
  /** Sample standard deviation of the differences (n − 1); NaN for one pair. */
  sd: number;
  /** Standard error of the mean difference; NaN for one pair. */
  se: number;
  lower: number;
  upper: number;
  /** Pairs where `ours < theirs`. */
  oursLower: number;
  margin: number;
  verdict: PairedVerdict;
}

/** The summary of paired differences `ours − theirs` (lower is better) with non-inferiority margin `margin` ≥ 0. */
export function pairedDifference(diffs: readonly number[], margin: number): PairedSummary {
  const n = diffs.length;
  if (n === 0) throw new Error('pairedDifference: no pairs');
  if (!(margin >= 0)) throw new Error(`pairedDifference: margin must be >= 0, got ${margin}`);
  if (diffs.some((d) => !Number.isFinite(d))) throw new Error('pairedDifference: every difference must be a finite number');
  const mean = diffs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(diffs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  const se = sd / Math.sqrt(n);
  const half = n > 1 ? t95(n - 1) * se : Number.NaN;
  const lower = mean - half;
  const upper = mean + half;
  const verdict: PairedVerdict = n < 2 ? 'not shown' : upper < 0 ? 'better' : upper < margin ? 'equal or better' : lower > 0 ? 'worse' : 'not shown';
  return { n, mean, sd, se, lower, upper, oursLower: diffs.filter((d) => d < 0).length, margin, verdict };
}
