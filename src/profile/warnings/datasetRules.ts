import { pct, warning, type WarningRule } from './WarningContext.js';

/** duplicate_rows: exact duplicate rows; low if any, medium / high from the share thresholds. */
export const duplicateRows: WarningRule = ({ dataset, thresholds: t }) => {
  if (dataset.duplicateRows === 0) return [];
  const share = dataset.duplicateShare;
  const severity = share >= t.duplicateShareHigh ? 'high' : share >= t.duplicateShareMedium ? 'medium' : 'low';
  return [
    warning('duplicate_rows', severity, [], `${dataset.duplicateRows} rows (${pct(share)}) repeat an earlier row exactly`, ['drop_duplicates', 'add a drop_duplicates step, unless repeated rows are real repeated events'], {
      value: share,
      threshold: severity === 'high' ? t.duplicateShareHigh : severity === 'medium' ? t.duplicateShareMedium : 0,
    }),
  ];
};

/** anomalous_samples: the isolation forest (when plugged in) finds a share of rows far from the rest. */
export const anomalousSamples: WarningRule = ({ anomalies, thresholds: t }) => {
  if (!anomalies || anomalies.scoredRows === 0) return [];
  const n = anomalies.anomalousRows;
  const share = n / anomalies.scoredRows;
  if (n === 0 || share < t.anomalyShare) return [];
  return [
    warning('anomalous_samples', 'medium', [], `${n} of ${anomalies.scoredRows} rows (${pct(share)}) have an anomaly score of ${t.anomalyScore} or more`, ['filter_rows', 'inspect the anomalies section; drop or fix the rows with a filter step'], { value: share, threshold: t.anomalyShare }),
  ];
};

/** drift: columns whose distribution moved against the baseline; high when the data set drifted. */
export const drift: WarningRule = ({ drift: d, thresholds: t }) => {
  if (!d) return [];
  const out = d.columns
    .filter((c) => c.drifted)
    .map((c) =>
      warning(
        'drift',
        'medium',
        [c.name],
        c.kind === 'numeric' ? `"${c.name}" drifted from the baseline (PSI ${c.psi?.toFixed(3)})` : `"${c.name}" drifted from the baseline (Jensen-Shannon ${c.jensenShannon?.toFixed(3)})`,
        ['review', 'check the source of this batch; retrain or update the baseline if the change is real'],
        { value: (c.kind === 'numeric' ? c.psi : c.jensenShannon) ?? 0, threshold: c.kind === 'numeric' ? t.driftPsi : t.driftJs },
      ),
    );
  if (d.verdict === 'drift') {
    out.unshift(
      warning('drift', 'high', d.driftedColumns, `${d.driftedColumns.length} of ${d.columns.length} columns (${pct(d.driftedShare)}) drifted from the baseline`, ['review', 'do not approve before the change is explained; retrain on recent data if it is real'], {
        value: d.driftedShare,
        threshold: t.driftShare,
      }),
    );
  }
  return out;
};
