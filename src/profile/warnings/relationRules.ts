import type { ReportWarning } from '../reportSchema.js';
import { defineWarningRule } from './defineWarningRule.js';

/**
 * target_leakage (high): a feature predicts the target (almost) perfectly on its own — by its
 * association with the target or, when computed, its one-feature prediction power.
 */
export const targetLeakage = defineWarningRule({
  code: 'target_leakage',
  severities: ['high'],
  raisedWhen: "a feature's association with the target, or its prediction power, is at least the threshold",
  thresholds: ['leakageAssociation'],
  fixes: ['drop_columns'],
  run: ({ target, correlations, predictionPower, thresholds: t }, raise) => {
    if (!target) return [];
    const found = new Map<string, { value: number; how: string }>();
    for (const a of correlations.target) {
      if (a.value !== null && a.value >= t.leakageAssociation)
        found.set(a.feature, { value: a.value, how: `association ${a.value.toFixed(3)} (${a.method.replace('_', ' ')})` });
    }
    for (const p of predictionPower ?? []) {
      if (p.score >= t.leakageAssociation && (found.get(p.feature)?.value ?? 0) < p.score)
        found.set(p.feature, { value: p.score, how: `prediction power ${p.score.toFixed(3)}` });
    }
    return [...found].map(([feature, f]) =>
      raise(
        'high',
        [feature],
        `"${feature}" predicts the target "${target.column}" almost perfectly (${f.how}): it may be computed from the outcome`,
        ['drop_columns', `drop "${feature}" unless it is known before the outcome`],
        { value: f.value, threshold: t.leakageAssociation },
      ),
    );
  },
});

/** high_correlation: two features with |Pearson| or Cramér's V at or above `highCorrelation` carry the same information. */
export const highCorrelation = defineWarningRule({
  code: 'high_correlation',
  severities: ['medium'],
  raisedWhen: "two features (target excluded) with |Pearson| or Cramér's V ≥ threshold",
  thresholds: ['highCorrelation'],
  fixes: ['drop_columns'],
  run: ({ correlations, target, thresholds: t }, raise) => {
    const out: ReportWarning[] = [];
    const scan = (cols: string[], m: Array<Array<number | null>>, name: string) => {
      for (let i = 0; i < cols.length; i++) {
        for (let j = i + 1; j < cols.length; j++) {
          const v = m[i]?.[j];
          if (v === null || v === undefined || Math.abs(v) < t.highCorrelation) continue;
          if (cols[i] === target?.column || cols[j] === target?.column) continue;
          out.push(
            raise(
              'medium',
              [cols[i]!, cols[j]!],
              `"${cols[i]}" and "${cols[j]}" are highly correlated (${name} ${v.toFixed(3)})`,
              ['drop_columns', `drop one of "${cols[i]}" and "${cols[j]}"`],
              { value: v, threshold: t.highCorrelation },
            ),
          );
        }
      }
    };
    scan(correlations.numeric.columns, correlations.numeric.pearson, 'Pearson');
    scan(correlations.categorical.columns, correlations.categorical.cramersV, "Cramér's V");
    return out;
  },
});
