import { html, type SafeHtml } from '../../core/html.js';
import type { Report } from '../reportSchema.js';

const TERMS: Array<[string, string]> = [
  [
    'Feature types',
    'numeric: numbers with more than two values; binary: exactly two values; categorical: other text; text: long, mostly unique text; datetime: dates and timestamps.',
  ],
  ['Missing', 'Empty cells, and NaN in floating columns (as pandas counts them). Tokens such as "?" or "n/a" are reported as disguised missing values.'],
  [
    'Statistics',
    'std is the sample standard deviation (n − 1); skewness and kurtosis are the bias-corrected sample estimates (pandas skew() and kurt(), kurtosis 0 for a normal distribution); quantiles use linear interpolation.',
  ],
  ['Outliers', 'Values outside the Tukey fences [Q1 − k·IQR, Q3 + k·IQR], k = outlierIqrFactor.'],
  ['Histogram', 'Equal-width bins between min and max (as numpy.histogram); the last bin includes the maximum.'],
  ['Duplicate rows', 'Rows identical to an earlier row in every column (missing equals missing).'],
  ['Pearson / Spearman', 'Linear / rank correlation on the rows where both columns are present; Spearman uses average ranks for ties.'],
  ["Cramér's V", 'Association of two categorical columns from the chi-square statistic of their contingency table, in [0, 1].'],
  [
    'Association with the target',
    "Cramér's V (categorical feature, classification), correlation ratio η (numeric feature with classes, or categorical feature with a numeric target), |Spearman| (numeric feature, regression).",
  ],
  ['Imbalance ratio', 'Rows of the largest class divided by rows of the smallest.'],
  [
    'PSI',
    'Population stability index over the baseline deciles: Σ (c − b)·ln(c/b), empty bins at 0.0001. Below 0.1 stable, 0.1–0.2 moderate, above 0.2 a significant shift.',
  ],
  ['KS', 'Two-sample Kolmogorov-Smirnov statistic: the largest gap between the two empirical distribution functions.'],
  ['Jensen-Shannon', 'Divergence of the category shares of baseline and current data, base 2, in [0, 1].'],
  ['Chi-square', 'Test of equal category distributions (2 × k table); the p-value is reported.'],
  ['Bias metrics', 'SageMaker Clarify pre-training metrics for facet d (the given value) against the rest a.'],
  ['Severity', 'high: do not approve before it is understood; medium: likely to hurt a model; low: worth knowing.'],
];

/** Definitions of every statistic and the thresholds this report used. */
export function definitionsSection(r: Report): SafeHtml {
  const t = Object.entries(r.thresholds);
  return html`<section id="definitions"><h2>Definitions</h2><dl class="defs">${TERMS.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
<h3>Thresholds used</h3><div class="scroll"><table><tbody>${t.map(([k, v]) => html`<tr><th>${k}</th><td>${Array.isArray(v) ? v.map((x) => JSON.stringify(x)).join(' ') : String(v)}</td></tr>`)}</tbody></table></div>
<p class="muted">Report schema ${r.schemaVersion} · generated ${r.generatedAt} · computed in ${r.timings.total ?? '?'} ms.</p></section>`;
}
