import { defineWarningRule } from './defineWarningRule.js';
import { pct } from './WarningContext.js';

/** duplicate_rows: exact duplicate rows; low if any, medium / high from the share thresholds. */
export const duplicateRows = defineWarningRule({
  code: 'duplicate_rows',
  severities: ['high', 'medium', 'low'],
  raisedWhen: 'any duplicate row is low; share ≥ medium / high thresholds',
  thresholds: ['duplicateShareMedium', 'duplicateShareHigh'],
  fixes: ['drop_duplicates'],
  run: ({ dataset, thresholds: t }, raise) => {
    if (dataset.duplicateRows === 0) return [];
    const share = dataset.duplicateShare;
    const severity = share >= t.duplicateShareHigh ? 'high' : share >= t.duplicateShareMedium ? 'medium' : 'low';
    return [
      raise(
        severity,
        [],
        `${dataset.duplicateRows} rows (${pct(share)}) repeat an earlier row exactly`,
        ['drop_duplicates', 'add a drop_duplicates step, unless repeated rows are real repeated events'],
        {
          value: share,
          threshold: severity === 'high' ? t.duplicateShareHigh : severity === 'medium' ? t.duplicateShareMedium : 0,
        },
      ),
    ];
  },
});

/** anomalous_samples: the isolation forest (when plugged in) finds a share of rows far from the rest. */
export const anomalousSamples = defineWarningRule({
  code: 'anomalous_samples',
  severities: ['medium'],
  raisedWhen: 'rows with an isolation-forest score ≥ `anomalyScore` make up at least `anomalyShare` of the scored rows',
  thresholds: ['anomalyScore', 'anomalyShare'],
  fixes: ['filter_rows'],
  run: ({ anomalies, thresholds: t }, raise) => {
    if (!anomalies || anomalies.scoredRows === 0) return [];
    const n = anomalies.anomalousRows;
    const share = n / anomalies.scoredRows;
    if (n === 0 || share < t.anomalyShare) return [];
    return [
      raise(
        'medium',
        [],
        `${n} of ${anomalies.scoredRows} rows (${pct(share)}) have an anomaly score of ${t.anomalyScore} or more`,
        ['filter_rows', 'inspect the anomalies section; drop or fix the rows with a filter step'],
        { value: share, threshold: t.anomalyShare },
      ),
    ];
  },
});

/**
 * drift: one warning per drifted column, naming it with its figures (and its importance in the
 * champion when known): high when it drifted strongly, medium otherwise; plus a high warning
 * for the data set when the share of drifted columns reaches `driftShare`.
 */
export const drift = defineWarningRule({
  code: 'drift',
  severities: ['high', 'medium'],
  raisedWhen:
    'high for each strongly drifted column, naming it with its figures (and its importance in the champion); medium for each mildly drifted column; high once for the data set when the drifted share reaches `driftShare`',
  thresholds: ['driftShare', 'driftPsi', 'driftJs', 'driftPsiStrong', 'driftJsStrong', 'driftMissingChange', 'driftNewCategoryShare'],
  fixes: ['review'],
  run: ({ drift: d, thresholds: t }, raise) => {
    if (!d) return [];
    const out = d.columns
      .filter((c) => c.drifted)
      .map((c) => {
        const importance = typeof c.championImportance === 'number' ? `; importance in the champion ${c.championImportance.toPrecision(3)}` : '';
        const value = Math.max(c.psi ?? 0, c.jensenShannon ?? 0, Math.abs(c.missingShareChange), c.newCategoryShare ?? 0);
        return raise(
          c.strong ? 'high' : 'medium',
          [c.name],
          `"${c.name}" drifted from the baseline (${(c.reasons ?? []).join('; ')}${importance})`,
          [
            'review',
            c.strong
              ? 'do not approve before the change is explained; retrain on recent data if it is real'
              : 'check the source of this batch; retrain or update the baseline if the change is real',
          ],
          { value, threshold: c.kind === 'numeric' ? (c.strong ? t.driftPsiStrong : t.driftPsi) : c.strong ? t.driftJsStrong : t.driftJs },
        );
      });
    if (d.driftedShare >= t.driftShare && d.driftedColumns.length > 0) {
      out.unshift(
        raise(
          'high',
          d.driftedColumns,
          `${d.driftedColumns.length} of ${d.columns.length} columns (${pct(d.driftedShare)}) drifted from the baseline: ${d.driftedColumns.slice(0, 8).join(', ')}${d.driftedColumns.length > 8 ? ', ...' : ''}`,
          ['review', 'do not approve before the change is explained; retrain on recent data if it is real'],
          {
            value: d.driftedShare,
            threshold: t.driftShare,
          },
        ),
      );
    }
    return out;
  },
});

/** champion_degraded (high): the champion scores worse on this batch than when registered, by `championMetricDrop` or more. */
export const championDegraded = defineWarningRule({
  code: 'champion_degraded',
  severities: ['high'],
  raisedWhen: 'the champion scores worse on this batch than when it was registered, by the threshold or more',
  thresholds: ['championMetricDrop'],
  fixes: ['review'],
  run: ({ champion: c, thresholds: t }, raise) => {
    if (!c || c.drop === null || c.drop < t.championMetricDrop) return [];
    return [
      raise(
        'high',
        [],
        `the champion (${c.model} version ${c.version}) scores ${c.metric} ${c.current.toFixed(4)} on this batch, ${c.drop.toFixed(4)} worse than when registered (${c.registered?.toFixed(4)})`,
        ['review', 'find what changed in the data; retrain on recent data if the change is real'],
        {
          value: c.drop,
          threshold: t.championMetricDrop,
        },
      ),
    ];
  },
});
