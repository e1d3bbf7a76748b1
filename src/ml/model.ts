/**
 * What every trained model is: a predictor over frames that serialises to plain JSON.
 *
 * A model is applied to a frame by column name (see `alignFrame`), so the caller's column
 * order, extra columns and categorical level order do not matter. Its output is one
 * `Float64Array`: the row-major `n x k` class probabilities for classification, the predicted
 * values for regression; metrics and ensembles work on that form directly.
 */
import { SluiceError } from '../core/errors.js';
import type { FeatureSchema, Frame } from './frame.js';
import { argmaxRows } from './metrics/argmax.js';

export type Task = 'classification' | 'regression';

/** The serialised form of any model; `body` is learner-specific. */
export interface ModelJSON {
  format: 'sluice-model';
  formatVersion: 1;
  /** A `LearnerName` (ml/learners.ts): the name of a learner, or `ensemble`. Declared there, from the list of learners, which this file's models come before. */
  learner: string;
  task: Task;
  /** Class labels, in code order (empty for regression). */
  labels: string[];
  schema: FeatureSchema[];
  /** The hyperparameters the model was trained with. */
  params: Record<string, unknown>;
  body: unknown;
}

export type Prediction = { kind: 'classification'; codes: Int32Array; labels: string[]; proba: Float64Array } | { kind: 'regression'; values: Float64Array };

/**
 * Scores one transformed row (a plain object keyed by feature name, values as `rowsToFrame`
 * reads them) into `out[offset .. offset + width)`, exactly as `output` would for a one-row
 * frame, without building one. Not re-entrant: it may reuse buffers between calls.
 */
export type RowScorer = (row: Readonly<Record<string, unknown>>, out: Float64Array, offset: number) => void;

/**
 * Scores many transformed rows without a frame: row `j`'s values go to
 * `out[at[j] * width .. (at[j] + 1) * width)`, bit for bit what {@link RowScorer} gives for each.
 */
export type RowsScorer = (rows: readonly Readonly<Record<string, unknown>>[], at: ArrayLike<number>, out: Float64Array) => void;

export abstract class Model {
  /** The learner's name (a `LearnerName` of ml/learners.ts). */
  abstract readonly learner: string;
  constructor(
    readonly task: Task,
    readonly labels: string[],
    readonly schema: FeatureSchema[],
    readonly params: Record<string, unknown>,
  ) {}

  /** Class probabilities (`n x k`, row-major) or predicted values. */
  abstract output(frame: Frame): Float64Array;

  /**
   * A scorer of single rows without a frame, for learners that have one (the endpoint's fast
   * path: a frame per request is most of a one-record prediction's cost); undefined otherwise.
   */
  rowScorer(): RowScorer | undefined {
    return undefined;
  }

  /** A scorer of many rows at once without a frame (a batch's fast path), for learners that have one; undefined otherwise. */
  rowsScorer(): RowsScorer | undefined {
    return undefined;
  }

  /** The learner-specific part of the JSON form. */
  protected abstract body(): unknown;

  /** Number of classes (1 for regression): the width of `output`. */
  get width(): number {
    return this.task === 'classification' ? this.labels.length : 1;
  }

  /** Class probabilities, row-major `n x k` in label order. Classification only. */
  predictProba(frame: Frame): Float64Array {
    if (this.task !== 'classification') {
      throw new SluiceError('ML_NOT_CLASSIFIER', 'this is a regression model; it has no class probabilities', {
        hint: 'use predict() for regression models',
      });
    }
    return this.output(frame);
  }

  /** Predicted classes (most probable, with their probabilities) or values. */
  predict(frame: Frame): Prediction {
    const out = this.output(frame);
    if (this.task === 'regression') return { kind: 'regression', values: out };
    return { kind: 'classification', codes: argmaxRows(out, this.labels.length), labels: this.labels, proba: out };
  }

  toJSON(): ModelJSON {
    return {
      format: 'sluice-model',
      formatVersion: 1,
      learner: this.learner,
      task: this.task,
      labels: this.labels,
      schema: this.schema,
      params: this.params,
      body: this.body(),
    };
  }
}
