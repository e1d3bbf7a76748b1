import type { Engine } from '../engine/Engine.js';
import type { Anomalies, ColumnReport, PredictionPower, QuickModel, TargetReport } from './reportSchema.js';
import type { Thresholds } from './thresholds.js';

/** What a model-based section computer receives: the data (as a relation) and the profile so far. */
export interface ModelSectionInput {
  engine: Engine;
  /** The profile view (NaN already missing). */
  relation: string;
  columns: ColumnReport[];
  target?: TargetReport;
  thresholds: Thresholds;
}

/**
 * The sections that need learners (from `ml/`) are computed by plug-in functions, so the report
 * does not depend on which learners exist: an absent plug-in leaves its key out of the report
 * (never a made-up value) and says so in `notes`.
 */
export interface ReportPlugins {
  quickModel?: (input: ModelSectionInput) => Promise<QuickModel | undefined>;
  predictionPower?: (input: ModelSectionInput) => Promise<PredictionPower | undefined>;
  anomalies?: (input: ModelSectionInput) => Promise<Anomalies | undefined>;
}
