import type { Engine } from '../engine/Engine.js';
import type { ReportSample } from './reportSample.js';
import type { Anomalies, ColumnReport, PredictionPower, QuickModel, TargetReport } from './reportSchema.js';
import type { RowsInMemory } from './rowsInMemory.js';
import type { Thresholds } from './thresholds.js';

/** What a model-based section computer receives: the data (as a relation) and the profile so far. */
export interface ModelSectionInput {
  engine: Engine;
  /**
   * The rows to read (NaN already missing): the profile view, or above the report's sample size
   * a uniform random sample of it (`sample`), for the sections that estimate rather than count.
   */
  relation: string;
  /** Set when `relation` is the report's sample: its size and the data's rows. */
  sample?: ReportSample;
  columns: ColumnReport[];
  /** Rows of the data (lets a plug-in prepare for the data's size before reading it). */
  rows?: number;
  target?: TargetReport;
  thresholds: Thresholds;
  /** The profile view reads a table: the same rows in the same order on every read (no copy needed to read it twice). */
  stable?: boolean;
}

/**
 * The sections that need learners (from `ml/`) are computed by plug-in functions, so the report
 * does not depend on which learners exist: an absent plug-in leaves its key out of the report
 * (never a made-up value) and says so in `notes`.
 *
 * The quick model is started first and awaited only after the duplicates, the target's
 * breakdown, the correlations, prediction power and anomalies (it may read the shared data
 * through the same cache as `prepare`, and then must not query the engine). `prepare` runs next
 * and is awaited: it reads what the sections share from the engine; after the duplicates and
 * the target's breakdown, `prepareAnomalies` (when given). Prediction power runs while the
 * duplicates are computed, and the anomalies while the correlations are, when `prepareAnomalies`
 * is given: these may not query the engine (one connection, in use meanwhile). Without `prepareAnomalies`, the
 * anomalies run after the correlations and may query it.
 */
export interface ReportPlugins {
  /** Reads the data the model sections share (the default: the model frame), before they start. */
  prepare?: (input: ModelSectionInput) => Promise<void>;
  /**
   * After `prepare`: what it read, when that holds every row of `input.relation` in its order
   * (the default: the model frame, unless sampled or short of rows without a target). The
   * correlations are then computed from these rows instead of queried.
   */
  rowsInMemory?: (input: ModelSectionInput) => Promise<RowsInMemory | undefined>;
  /** Reads the rows `anomalies` scores, so that it runs without queries while the correlations are computed. */
  prepareAnomalies?: (input: ModelSectionInput) => Promise<void>;
  quickModel?: (input: ModelSectionInput) => Promise<QuickModel | undefined>;
  predictionPower?: (input: ModelSectionInput) => Promise<PredictionPower | undefined>;
  anomalies?: (input: ModelSectionInput) => Promise<Anomalies | undefined>;
}
