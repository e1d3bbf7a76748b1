import { z } from 'zod';

/**
 * The `report.json` contract: what every other part of Sluice (pipeline gates, approval pages,
 * users' scripts) reads. The zod schema is the single source: the TypeScript types are inferred
 * from it and `docs/report.schema.json` is generated from it (`z.toJSONSchema`). Bump
 * {@link REPORT_SCHEMA_VERSION} on any incompatible change.
 */
export const REPORT_SCHEMA_VERSION = '1.0.0';

export const FEATURE_TYPES = ['numeric', 'categorical', 'binary', 'text', 'datetime'] as const;
export const SEVERITIES = ['high', 'medium', 'low'] as const;

const num = z.number();
const nullableNum = z.number().nullable();
/** A value as it appears in the data, rendered for JSON (dates as ISO text, big integers as text). */
const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const topValueSchema = z.object({ value: cell, count: num, share: num });

export const histogramSchema = z.object({
  /** Bin edges, `bins + 1` of them; the last bin includes its right edge (as numpy.histogram). */
  edges: z.array(num),
  counts: z.array(num),
});

export const columnReportSchema = z.object({
  name: z.string(),
  type: z.enum(FEATURE_TYPES),
  /** The engine's logical type (`integer`, `float`, `string`, ...). */
  storageType: z.string(),
  missing: num,
  missingShare: num,
  distinct: num,
  min: cell.optional(),
  max: cell.optional(),
  mean: nullableNum.optional(),
  median: nullableNum.optional(),
  std: nullableNum.optional(),
  /** Linear-interpolated quantiles keyed by probability (`"0.25"`), as pandas `quantile()`. */
  quantiles: z.record(z.string(), nullableNum).optional(),
  skewness: nullableNum.optional(),
  kurtosis: nullableNum.optional(),
  zeros: num.optional(),
  /** Values outside [Q1 - k·IQR, Q3 + k·IQR] (Tukey fences, k = thresholds.outlierIqrFactor). */
  outliers: num.optional(),
  outlierBounds: z.tuple([num, num]).optional(),
  histogram: histogramSchema.optional(),
  topValues: z.array(topValueSchema).optional(),
  /** Non-missing values that are disguised missing tokens (`?`, `n/a`, `NaN`, ...). */
  disguisedMissing: num.optional(),
  /** Share of non-missing text values that parse as numbers (text columns only). */
  numericShare: num.optional(),
  meanLength: nullableNum.optional(),
  /**
   * With a classification target: counts by class (at most 8, the most frequent) over the
   * histogram bins (numeric) or the top values (others): `counts[class][bin or top value]`.
   */
  byTarget: z.object({ classes: z.array(z.string()), counts: z.array(z.array(num)) }).optional(),
});

export const datasetSchema = z.object({
  rows: num,
  columns: num,
  missingCells: num,
  missingShare: num,
  duplicateRows: num,
  duplicateShare: num,
  featureTypes: z.record(z.string(), num),
});

export const warningSchema = z.object({
  code: z.string(),
  severity: z.enum(SEVERITIES),
  columns: z.array(z.string()),
  message: z.string(),
  /** The flow step to add to fix it, and how. */
  fix: z.object({ step: z.string(), description: z.string() }),
  value: z.number().optional(),
  threshold: z.number().optional(),
});

export const targetSchema = z.object({
  column: z.string(),
  problemType: z.enum(['classification', 'regression']),
  missing: num,
  /** Number of distinct classes (the `classes` list is cut at 100). */
  classCount: num.optional(),
  classes: z.array(topValueSchema).optional(),
  /** Majority class count divided by minority class count (1 = balanced). */
  imbalanceRatio: num.optional(),
  /** For regression: the target's numeric summary. */
  distribution: z.object({ min: num, max: num, mean: num, median: num, std: nullableNum, skewness: nullableNum, histogram: histogramSchema }).optional(),
});

const matrix = z.array(z.array(nullableNum));
export const correlationsSchema = z.object({
  numeric: z.object({ columns: z.array(z.string()), pearson: matrix, spearman: matrix }),
  categorical: z.object({ columns: z.array(z.string()), cramersV: matrix }),
  /** Association of each feature with the target, in [0, 1]; see docs/report.md for methods. */
  target: z.array(z.object({ feature: z.string(), method: z.enum(['cramers_v', 'correlation_ratio', 'spearman_abs']), value: nullableNum })),
  /**
   * Present when the matrices (and the target associations the target's breakdown does not give)
   * were computed on a uniform random sample: its rows, the data's rows, the method, each row's
   * chance of being kept and the seed. The
   * quick model, prediction power and anomalies read the same sample.
   */
  sample: z.object({ rows: num, of: num, method: z.literal('bernoulli'), probability: num, seed: num }).optional(),
});

export const duplicatesSchema = z.object({
  duplicateRows: num,
  top: z.array(z.object({ count: num, row: z.record(z.string(), cell) })),
});

/**
 * The two distributions behind a drift picture, as shares of each side's rows: numbers over
 * common bins (`edges`, values beyond the outer edges counted in the outer bins), categories
 * over the most frequent values of both sides (the rest pooled as `other`).
 */
export const driftPictureSchema = z.object({
  kind: z.enum(['histogram', 'categories']),
  edges: z.array(num).optional(),
  labels: z.array(z.string()).optional(),
  baseline: z.array(num),
  current: z.array(num),
});

export const driftColumnSchema = z.object({
  name: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  psi: nullableNum.optional(),
  ks: nullableNum.optional(),
  ksPValue: nullableNum.optional(),
  chiSquare: nullableNum.optional(),
  chiSquarePValue: nullableNum.optional(),
  jensenShannon: nullableNum.optional(),
  newCategories: z.array(z.string()).optional(),
  vanishedCategories: z.array(z.string()).optional(),
  missingShareBaseline: num,
  missingShareCurrent: num,
  missingShareChange: num,
  /** Share of the current non-missing rows whose category the baseline never had. */
  newCategoryShare: num.optional(),
  drifted: z.boolean(),
  /** Drifted strongly: on its own it makes the data set's verdict drift (see `reasons`). */
  strong: z.boolean().optional(),
  /** Why the column counts as drifted, in words with its figures (`PSI 1.58 >= 0.25`). */
  reasons: z.array(z.string()).optional(),
  /** The column's importance in the current champion model (permutation importance), when one is known. */
  championImportance: nullableNum.optional(),
  /** Baseline and current distributions for the drift picture (drifted columns only). */
  picture: driftPictureSchema.optional(),
});

export const driftSchema = z.object({
  baselineRows: num,
  columns: z.array(driftColumnSchema),
  newColumns: z.array(z.string()),
  missingColumns: z.array(z.string()),
  driftedColumns: z.array(z.string()),
  driftedShare: num,
  /** Columns that drifted strongly enough to make the verdict drift on their own. */
  strongColumns: z.array(z.string()).optional(),
  /** Columns the flow generates (record id, event time, split), left out of drift. */
  excludedColumns: z.array(z.string()).optional(),
  verdict: z.enum(['drift', 'no_drift']),
  /** The verdict in words, naming the columns (`drift: age (PSI 1.58), num_medications (missing 0% -> 25%)`). */
  summary: z.string().optional(),
});

export const biasSchema = z.object({
  facet: z.string(),
  facetValue: z.string(),
  label: z.string(),
  labelValue: z.string(),
  group: z.string().optional(),
  counts: z.object({ facet: num, rest: num }),
  metrics: z.object({
    CI: nullableNum,
    DPL: nullableNum,
    KL: nullableNum,
    JS: nullableNum,
    LP: nullableNum,
    TVD: nullableNum,
    KS: nullableNum,
    CDD: nullableNum,
  }),
});

export const gateResultSchema = z.object({
  rule: z.string(),
  value: z.union([num, z.string(), z.null()]),
  pass: z.boolean(),
  detail: z.string().optional(),
});

export const gatesSchema = z.object({ verdict: z.enum(['pass', 'fail']), rules: z.array(gateResultSchema) });

export const quickModelSchema = z.object({
  learner: z.string(),
  /** Boosting iterations kept (training stops early on a validation split of the training rows). */
  iterations: num.optional(),
  problemType: z.enum(['classification', 'regression']),
  trainRows: num,
  validationRows: num,
  sampled: z.boolean(),
  metrics: z.record(z.string(), nullableNum),
  /**
   * The same metrics of the model that ignores the features (the training class shares for
   * classification, so its accuracy is the majority share; the training mean for regression),
   * on the same validation rows.
   */
  baseline: z.object({ metrics: z.record(z.string(), nullableNum) }).optional(),
  /** Deciding metrics (log loss and balanced accuracy; rmse) on which the quick model is no better than the baseline. */
  noBetterThanBaseline: z.array(z.string()).optional(),
  confusionMatrix: z.object({ labels: z.array(z.string()), counts: z.array(z.array(num)) }).optional(),
  featureImportance: z.array(z.object({ feature: z.string(), importance: num })),
});

/** The current champion scored on this batch through its own fitted flow, next to its registered figure. */
export const championCheckSchema = z.object({
  model: z.string(),
  version: num,
  metric: z.string(),
  higherIsBetter: z.boolean(),
  /** The metric recorded when the version was registered (its holdout), when known. */
  registered: nullableNum,
  /** The metric on this batch's rows. */
  current: num,
  /** How much worse it is now than when registered (positive = worse), null without a registered figure. */
  drop: nullableNum,
  rows: num,
});

export const predictionPowerSchema = z.array(z.object({ feature: z.string(), score: num, method: z.string() }));

export const anomaliesSchema = z.object({
  method: z.string(),
  sampled: z.boolean(),
  /** Rows scored (all rows, or a seeded sample). */
  scoredRows: num,
  /** Score at or above which a row counts as anomalous (thresholds.anomalyScore). */
  threshold: num,
  anomalousRows: num,
  top: z.array(z.object({ score: num, row: z.record(z.string(), cell) })),
});

export const reportSchema = z
  .object({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION).describe('Version of this schema; bumped on any incompatible change'),
    generatedAt: z.string().describe('ISO time the report was computed'),
    source: z.object({ name: z.string(), baseline: z.string().optional() }).describe('File names of the data and the baseline'),
    /** How long each part took, milliseconds. */
    timings: z.record(z.string(), num).describe('Milliseconds per part of the computation, and total'),
    thresholds: z.record(z.string(), z.union([num, z.array(z.string())])).describe('Every threshold used, with its value (docs/report.md lists defaults)'),
    dataset: datasetSchema.describe('Data set summary'),
    columns: z.array(columnReportSchema).describe('One entry per column, in data order'),
    warnings: z.array(warningSchema).describe('Findings, high severity first, each with the flow step that fixes it'),
    target: targetSchema.optional().describe('Target analysis (with a target)'),
    quickModel: quickModelSchema.optional().describe('Gradient-boosted trees on a stratified 80/20 split (with a target)'),
    champion: championCheckSchema
      .optional()
      .describe('The current champion measured on this batch (pipeline report step, when a champion exists and the batch has the target)'),
    predictionPower: predictionPowerSchema.optional().describe('Per feature, the normalised validation score of a one-feature model, in [0, 1]'),
    correlations: correlationsSchema.describe("Pearson and Spearman (numeric), Cramér's V (categorical), association with the target"),
    anomalies: anomaliesSchema.optional().describe('The most anomalous rows by isolation forest'),
    duplicates: duplicatesSchema.describe('Exact duplicate rows and the most repeated ones'),
    bias: biasSchema.optional().describe('Clarify pre-training bias metrics (when asked)'),
    drift: driftSchema.optional().describe('Drift against a baseline (when given)'),
    gates: gatesSchema.optional().describe('Quality gates: each rule with its value and pass/fail, and the verdict'),
    /** Notes on what was sampled, skipped or not computed, for the reader. */
    notes: z.array(z.string()).describe('What was sampled, skipped or not computed, in words'),
  })
  .describe('Sluice data quality and insights report (report.json); see docs/report.md');

export type Report = z.infer<typeof reportSchema>;
export type ColumnReport = z.infer<typeof columnReportSchema>;
export type FeatureType = (typeof FEATURE_TYPES)[number];
export type Severity = (typeof SEVERITIES)[number];
export type ReportWarning = z.infer<typeof warningSchema>;
export type TargetReport = z.infer<typeof targetSchema>;
export type Correlations = z.infer<typeof correlationsSchema>;
export type DriftReport = z.infer<typeof driftSchema>;
export type DriftColumn = z.infer<typeof driftColumnSchema>;
export type DriftPicture = z.infer<typeof driftPictureSchema>;
export type BiasReport = z.infer<typeof biasSchema>;
export type GatesReport = z.infer<typeof gatesSchema>;
export type QuickModel = z.infer<typeof quickModelSchema>;
export type ChampionCheck = z.infer<typeof championCheckSchema>;
export type PredictionPower = z.infer<typeof predictionPowerSchema>;
export type Anomalies = z.infer<typeof anomaliesSchema>;
export type Histogram = z.infer<typeof histogramSchema>;
export type TopValue = z.infer<typeof topValueSchema>;
export type Cell = z.infer<typeof cell>;

/** The JSON Schema of report.json (draft 2020-12), as written to docs/report.schema.json. */
export function reportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema, { target: 'draft-2020-12' });
}
