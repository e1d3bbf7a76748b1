import type { ColumnSchema } from '../core/types.js';
import type { ProblemType } from '../ml/automl/problemType.js';
import type { MetricName } from '../ml/metrics/metricRegistry.js';
import type { LearnerName } from '../ml/learners.js';

export const MANIFEST_FORMAT = 'sluice.model-manifest';

/**
 * The manifest beside a trained model (`DIR/model.json`, copied to `DIR/model/manifest.json`),
 * as MLflow's `MLmodel`: what the model is, what it needs at prediction time, how good it is,
 * and what it was trained on. Documented field by field in docs/training.md.
 */
export interface ModelManifest {
  format: typeof MANIFEST_FORMAT;
  formatVersion: 1;
  /** The learner of the best candidate (`ensemble` for a weighted ensemble). */
  learner: LearnerName;
  sluiceVersion: string;
  problemType: ProblemType;
  target: string;
  /** Class labels in the model's output order (empty for regression). */
  classLabels: string[];
  /**
   * The raw columns (and types) the fitted flow and the model read at prediction time: only these
   * are required; skipped and dropped columns are ignored when present (src/training/inputSignature.ts).
   */
  inputSignature: ColumnSchema[];
  /** The model's features: the flow's output columns it reads. */
  features: Array<ColumnSchema & { kind: 'numeric' | 'categorical' }>;
  /** The flow's record id column, copied to predictions when present. */
  recordId?: string;
  flow: { name: string; flowHash: string; steps: number };
  /**
   * Whether the fitted flow runs on single records (the endpoint): false with the steps that
   * cannot, as `sluice train` reported them (src/flow/servingProblems.ts). Batch predictions work either way.
   */
  serving?: { records: boolean; problems?: string[] };
  metric: MetricName;
  metrics: {
    holdout: Record<string, number>;
    cv: { metric: MetricName; mean: number | null; std: number | null; folds: number[] };
  };
  trainingData: {
    file: string;
    sha256: string;
    bytes: number;
    rows: { file: number; afterFlow: number; missingTarget: number; used: number; train: number; holdout: number };
  };
  seed: number;
  timeLimitSeconds: number;
  holdoutFraction: number;
  createdAt: string;
  /** The servable artifact, relative to the manifest beside the folder. */
  artifact: { model: string; fittedFlow: string };
}
