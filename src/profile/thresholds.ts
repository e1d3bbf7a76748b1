/**
 * Every threshold the report uses, with its default. Users override any of them
 * (`profileTable(..., { thresholds: { skewAbs: 3 } })`); the values used are written into
 * report.json so a reader knows what "skewed" meant for that report. docs/report.md lists them.
 */
export interface Thresholds {
  /** Duplicate-row share at or above which duplicate_rows is medium / high (any duplicate is low). */
  duplicateShareMedium: number;
  duplicateShareHigh: number;
  /** Feature-target association (or prediction power) at or above which target_leakage is raised. */
  leakageAssociation: number;
  /** Majority / minority class count ratio at or above which class_imbalance is raised (medium). */
  imbalanceRatio: number;
  /** Class share below which rare_target_label is raised. */
  rareLabelShare: number;
  /** Class count below which too_few_instances_per_class is raised (high). */
  minInstancesPerClass: number;
  /** Number of classes above which too_many_classes is raised. */
  maxClasses: number;
  /** Distinct count above which a categorical column raises high_cardinality. */
  highCardinality: number;
  /** Share of the most frequent value at or above which near_constant_column is raised. */
  nearConstantShare: number;
  /** Distinct / non-missing ratio at or above which an integer or text column is an id_column. */
  idDistinctRatio: number;
  /** Distinct / non-missing ratio at or above which a column whose values look like keys (prefix + digits, UUID, zero-padded) is an id_column. */
  idPatternRatio: number;
  /** Fewest rows for id_column to be judged (uniqueness of 5 rows means nothing). */
  idMinRows: number;
  /** Missing share: any missing is low; at or above these it is medium / high. */
  missingShareMedium: number;
  missingShareHigh: number;
  /** Share of text values parsing as numbers that makes a column mixed_types (between min and max). */
  mixedTypesMin: number;
  mixedTypesMax: number;
  /** |skewness| at or above which skewed is raised. */
  skewAbs: number;
  /** Tukey fence factor k for outliers, and the outlier share at or above which outliers is raised. */
  outlierIqrFactor: number;
  outlierShare: number;
  /** |Pearson| or Cramér's V between two features at or above which high_correlation is raised. */
  highCorrelation: number;
  /** Anomaly score at or above which a row counts as anomalous, and the share that raises anomalous_samples. */
  anomalyScore: number;
  anomalyShare: number;
  /** Column drift: PSI (numeric) or Jensen-Shannon divergence (categorical, base 2) at or above. */
  driftPsi: number;
  driftJs: number;
  /** Share of drifted columns at or above which the dataset verdict is drift. */
  driftShare: number;
  /** Strong column drift: PSI or Jensen-Shannon at or above these makes the verdict drift on its own (and a high warning). */
  driftPsiStrong: number;
  driftJsStrong: number;
  /** A change of the missing share by this much (0.1 = 10 points) or more is strong drift. */
  driftMissingChange: number;
  /** Categories the baseline never had taking this share of the current rows or more is strong drift. */
  driftNewCategoryShare: number;
  /** The champion's metric on the batch this much worse than when registered raises champion_degraded (high). */
  championMetricDrop: number;
  /** Numeric target with at most this many distinct values is treated as classification. */
  classificationMaxDistinct: number;
  /** Categorical columns with more distinct values are left out of Cramér's V. */
  cramersMaxDistinct: number;
  /** Histogram bins and top values kept per column. */
  histogramBins: number;
  topValues: number;
  /** Tokens (compared trimmed and lower-cased) that mean "missing" when found as text. */
  missingTokens: string[];
}

export const DEFAULT_THRESHOLDS: Thresholds = {
  duplicateShareMedium: 0.01,
  duplicateShareHigh: 0.1,
  leakageAssociation: 0.9,
  imbalanceRatio: 10,
  rareLabelShare: 0.01,
  minInstancesPerClass: 10,
  maxClasses: 50,
  highCardinality: 50,
  nearConstantShare: 0.99,
  idDistinctRatio: 0.99,
  idPatternRatio: 0.95,
  idMinRows: 20,
  missingShareMedium: 0.05,
  missingShareHigh: 0.5,
  mixedTypesMin: 0.05,
  mixedTypesMax: 1,
  skewAbs: 2,
  outlierIqrFactor: 1.5,
  outlierShare: 0.05,
  highCorrelation: 0.9,
  anomalyScore: 0.7,
  anomalyShare: 0.01,
  driftPsi: 0.2,
  driftJs: 0.1,
  driftShare: 0.5,
  driftPsiStrong: 0.25,
  driftJsStrong: 0.2,
  driftMissingChange: 0.1,
  driftNewCategoryShare: 0.05,
  championMetricDrop: 0.02,
  classificationMaxDistinct: 20,
  cramersMaxDistinct: 50,
  histogramBins: 20,
  topValues: 10,
  missingTokens: ['?', 'nan', 'n/a', 'na', 'null', '-', '--', '', '#n/a', 'missing', 'undefined'],
};

/** The defaults with the given overrides applied. */
export function resolveThresholds(overrides: Partial<Thresholds> = {}): Thresholds {
  return { ...DEFAULT_THRESHOLDS, ...overrides };
}
