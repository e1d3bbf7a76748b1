/**
 * Correlation ratio η of numeric `value` grouped by `group`: sqrt(between-group / total sum of
 * squares), from per-group counts, means and population variances. Null when the values do
 * not vary (up to floating-point rounding): nothing to explain.
 */
export function correlationRatio(groups: Array<{ n: number; mean: number; varPop: number }>): number | null {
  const n = groups.reduce((a, g) => a + g.n, 0);
  if (n === 0) return null;
  const mean = groups.reduce((a, g) => a + g.n * g.mean, 0) / n;
  const between = groups.reduce((a, g) => a + g.n * (g.mean - mean) ** 2, 0);
  const within = groups.reduce((a, g) => a + g.n * g.varPop, 0);
  const total = between + within;
  if (total <= 0) return null;
  // A constant column (an event time stamped "now" on every row) has group means that differ
  // only by rounding, which would read as a perfect ratio: a spread below 1e-12 of the value's
  // magnitude is no spread at all.
  if (Math.sqrt(total / n) <= 1e-12 * Math.max(1, Math.abs(mean))) return null;
  return Math.min(1, Math.sqrt(between / total));
}
