/**
 * Correlation ratio η of numeric `value` grouped by `group`: sqrt(between-group / total sum of
 * squares), from per-group counts, means and population variances.
 */
export function correlationRatio(groups: Array<{ n: number; mean: number; varPop: number }>): number | null {
  const n = groups.reduce((a, g) => a + g.n, 0);
  if (n === 0) return null;
  const mean = groups.reduce((a, g) => a + g.n * g.mean, 0) / n;
  const between = groups.reduce((a, g) => a + g.n * (g.mean - mean) ** 2, 0);
  const within = groups.reduce((a, g) => a + g.n * g.varPop, 0);
  const total = between + within;
  if (total <= 0) return null;
  return Math.min(1, Math.sqrt(between / total));
}
