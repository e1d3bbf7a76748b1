import type { MissingPolicy } from '../../core/missing.js';
import type { ColumnSchema } from '../../core/types.js';

/**
 * The prediction of one record, with SageMaker Autopilot's inference response keys:
 * `probabilities[i]` is the probability of `labels[i]`.
 */
export interface Prediction {
  predicted_label: string;
  probabilities: number[];
  labels: string[];
}

/** Why one record could not be predicted (an unseen category where the flow says error, ...). */
export interface RecordError {
  /** 0-based index of the record in the request. */
  record: number;
  /** The input column at fault, when there is one. */
  field?: string;
  code: string;
  message: string;
  hint?: string;
}

export type PredictionResult = Prediction | { error: RecordError };

export function isRecordError(r: PredictionResult): r is { error: RecordError } {
  return (r as { error?: unknown }).error !== undefined;
}

/**
 * What the endpoint serves: any model, whatever the learner, behind one contract. `inputs` are
 * the raw columns a record must carry (the data as it arrived, before the flow); the endpoint
 * checks presence and types against them before calling {@link Predictor.predict}, so a predictor
 * receives values already typed (numbers, booleans, strings, or null for missing).
 */
export interface Predictor {
  readonly name: string;
  readonly version: string;
  /** Class labels, in the order of every prediction's `probabilities`. */
  readonly labels: readonly string[];
  readonly inputs: readonly ColumnSchema[];
  /** The missing-value rules records are read with: the model's own (its fitted flow's tokens); pandas' defaults when absent. */
  readonly missing?: MissingPolicy;
  /** One result per record, in order. A record that cannot be predicted gets `{error}`. */
  predict(records: Record<string, unknown>[]): PredictionResult[] | Promise<PredictionResult[]>;
  /**
   * Scores rows that are already transformed (the flow's output, as the feature store keeps
   * them), for `{"record_ids": [...]}` requests answered from the online store. Optional.
   */
  predictFeatures?(rows: Record<string, unknown>[]): PredictionResult[] | Promise<PredictionResult[]>;
  /** Frees resources once no request uses this predictor any more. */
  close?(): void | Promise<void>;
}
