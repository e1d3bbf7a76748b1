/**
 * Small statistical functions on aggregates already computed in SQL (contingency tables,
 * distributions); pure, no data access.
 */

/** Pearson's chi-square statistic of a contingency table (rows x columns of counts), no continuity correction. */
export function chiSquare(table: number[][]): { chi2: number; dof: number; n: number } {
  const rows = table.map((r) => r.reduce((a, b) => a + b, 0));
  const ncol = Math.max(0, ...table.map((r) => r.length));
  const cols = Array.from({ length: ncol }, (_, j) => table.reduce((a, r) => a + (r[j] ?? 0), 0));
  const n = rows.reduce((a, b) => a + b, 0);
  let chi2 = 0;
  for (let i = 0; i < table.length; i++) {
    for (let j = 0; j < ncol; j++) {
      const e = (rows[i]! * cols[j]!) / n;
      if (e > 0) chi2 += ((table[i]![j] ?? 0) - e) ** 2 / e;
    }
  }
  const r = rows.filter((x) => x > 0).length;
  const c = cols.filter((x) => x > 0).length;
  return { chi2, dof: Math.max(0, (r - 1) * (c - 1)), n };
}

/** Cramér's V of a contingency table, as scipy.stats.contingency.association(method='cramer'). */
export function cramersV(table: number[][]): number | null {
  const { chi2, n } = chiSquare(table);
  const r = table.filter((row) => row.some((x) => x > 0)).length;
  const ncol = Math.max(0, ...table.map((row) => row.length));
  let c = 0;
  for (let j = 0; j < ncol; j++) if (table.some((row) => (row[j] ?? 0) > 0)) c++;
  const k = Math.min(r, c) - 1;
  if (n === 0 || k <= 0) return null;
  return Math.min(1, Math.sqrt(chi2 / n / k));
}

/** Builds a dense table from sparse `(x, y, n)` cells, rows and columns in order of first appearance. */
export function denseTable<K>(cells: ReadonlyArray<{ x: K; y: K; n: number }>): number[][] {
  const xs = new Map<K, number>();
  const ys = new Map<K, number>();
  for (const c of cells) {
    if (!xs.has(c.x)) xs.set(c.x, xs.size);
    if (!ys.has(c.y)) ys.set(c.y, ys.size);
  }
  const t = Array.from({ length: xs.size }, () => new Array<number>(ys.size).fill(0));
  for (const c of cells) t[xs.get(c.x)!]![ys.get(c.y)!]! += c.n;
  return t;
}

function logGamma(x: number): number {
  const g = [
    676.5203681218851, -1259.1392167224028, 771.3234287776531, -176.61503916999186, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  x -= 1;
  let a = 0.99999999999980993;
  const t = x + 7.5;
  for (let i = 0; i < 8; i++) a += g[i]! / (x + i + 1);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Regularized upper incomplete gamma Q(a, x) (series / continued fraction, Numerical Recipes). */
function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    let ap = a;
    for (let n = 0; n < 1000; n++) {
      ap += 1;
      del *= x / ap;
      sum += del;
      if (Math.abs(del) < Math.abs(sum) * 1e-15) break;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - logGamma(a));
  }
  let b = x + 1 - a;
  let c = 1 / 1e-300;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < 1e-300) d = 1e-300;
    c = b + an / c;
    if (Math.abs(c) < 1e-300) c = 1e-300;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

/** Survival function of the chi-square distribution (the p-value of a chi-square test). */
export function chiSquarePValue(chi2: number, dof: number): number {
  if (dof <= 0) return 1;
  return Math.min(1, Math.max(0, gammaQ(dof / 2, chi2 / 2)));
}

/** Asymptotic two-sample Kolmogorov-Smirnov p-value for statistic d and sample sizes n, m. */
export function ksPValue(d: number, n: number, m: number): number {
  if (n === 0 || m === 0) return 1;
  const en = Math.sqrt((n * m) / (n + m));
  const lambda = (en + 0.12 + 0.11 / en) * d;
  if (lambda < 1e-3) return 1;
  let sum = 0;
  for (let j = 1; j <= 100; j++) {
    const term = 2 * (j % 2 === 1 ? 1 : -1) * Math.exp(-2 * j * j * lambda * lambda);
    sum += term;
    if (Math.abs(term) < 1e-12) break;
  }
  return Math.min(1, Math.max(0, sum));
}

/** Kullback-Leibler divergence sum p log(p/q) in nats; null when q is 0 where p is not. */
export function klDivergence(p: number[], q: number[]): number | null {
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i] ?? 0;
    const qi = q[i] ?? 0;
    if (pi === 0) continue;
    if (qi === 0) return null;
    s += pi * Math.log(pi / qi);
  }
  return s;
}

/** Jensen-Shannon divergence with log base 2 (in [0, 1]). */
export function jensenShannon(p: number[], q: number[]): number {
  const m = p.map((pi, i) => (pi + (q[i] ?? 0)) / 2);
  const kl = (a: number[]) => a.reduce((s, ai, i) => (ai > 0 ? s + ai * Math.log2(ai / m[i]!) : s), 0);
  return Math.max(0, 0.5 * kl(p) + 0.5 * kl(q));
}

/** Normalizes counts to shares (all zeros stay zeros). */
export function shares(counts: number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (n > 0 ? c / n : 0));
}
