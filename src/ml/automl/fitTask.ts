/**
 * One unit of AutoML work: train one learner on some rows of the shared data and predict
 * others. Plain data in and out, so it runs the same in a worker thread or inline.
 */
import { isSluiceError } from '../../core/errors.js';
import { type Frame, takeRows, takeTarget, type Target } from '../frame.js';
import type { ModelJSON } from '../model.js';
import { learnerDefinition, type TrainableLearner } from '../learners.js';
import { trainByName } from '../trainByName.js';

export interface FitTask {
  id: number;
  learner: TrainableLearner;
  params: Record<string, unknown>;
  /** Rows of the shared frame to train on. */
  trainRows: Uint32Array;
  /** Rows to predict (each list gets its own output). */
  predictRows: Uint32Array[];
  /** Epoch ms after which iterative learners stop adding trees or iterations. */
  deadline?: number;
  /** Send the fitted model back (for refits; fold models are not needed). */
  returnModel: boolean;
  /** Early-stop gradient boosting on the first list of `predictRows` (the validation fold). */
  earlyStopOnFirst?: boolean;
}

export interface FitResult {
  id: number;
  fitSeconds: number;
  /** Prediction time per row, in milliseconds, measured on the predicted rows. */
  predictMsPerRow: number;
  outputs: Float64Array[];
  model: ModelJSON | null;
  /** Learner facts worth showing (iterations kept, why training stopped). */
  info: Record<string, unknown>;
}

export interface FitFailure {
  id: number;
  error: { code: string; message: string; hint?: string };
}

/** Runs a task on the shared data. Throws on failure (the caller turns it into a `FitFailure`). */
export function runFitTask(frame: Frame, target: Target, task: FitTask): FitResult {
  const trainFrame = takeRows(frame, task.trainRows);
  const trainTarget = takeTarget(target, task.trainRows);
  const t0 = performance.now();
  const first = task.predictRows[0];
  const validation = task.earlyStopOnFirst && first ? { frame: takeRows(frame, first), target: takeTarget(target, first) } : undefined;
  const model = trainByName(task.learner, trainFrame, trainTarget, task.params, task.deadline, validation);
  const fitSeconds = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  let rows = 0;
  const outputs = task.predictRows.map((r) => {
    rows += r.length;
    return model.output(takeRows(frame, r));
  });
  const predictMsPerRow = rows ? (performance.now() - t1) / rows : 0;
  const info = learnerDefinition(task.learner)?.info?.(model) ?? {};
  return { id: task.id, fitSeconds, predictMsPerRow, outputs, model: task.returnModel ? model.toJSON() : null, info };
}

/** A thrown value as a failure message that crosses threads. */
export function toFailure(id: number, e: unknown): FitFailure {
  if (isSluiceError(e)) return { id, error: { code: e.code, message: e.message, ...(e.hint ? { hint: e.hint } : {}) } };
  return { id, error: { code: 'INTERNAL', message: e instanceof Error ? e.message : String(e) } };
}
