import { SluiceError } from '../../core/errors.js';
import type { Target } from '../frame.js';
import { accuracy } from './accuracy.js';
import { argmaxRows } from './argmax.js';
import { balancedAccuracy } from './balancedAccuracy.js';
import { logLoss } from './logLoss.js';
import { f1Score, macroF1 } from './precisionRecallF1.js';
import { mae, mse, r2, rmse } from './regression.js';
import { rocAuc } from './rocAuc.js';

/** Metrics a model can be selected by. */
export const METRIC_NAMES = ['accuracy', 'balanced_accuracy', 'macro_f1', 'f1', 'roc_auc', 'log_loss', 'rmse', 'mse', 'mae', 'r2'] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export interface MetricSpec {
  name: MetricName;
  task: 'classification' | 'regression';
  higherIsBetter: boolean;
  /** Binary classification only (`f1` scores the positive class, code 1). */
  binaryOnly?: boolean;
}

export const METRICS: Record<MetricName, MetricSpec> = {
  accuracy: { name: 'accuracy', task: 'classification', higherIsBetter: true },
  balanced_accuracy: { name: 'balanced_accuracy', task: 'classification', higherIsBetter: true },
  macro_f1: { name: 'macro_f1', task: 'classification', higherIsBetter: true },
  f1: { name: 'f1', task: 'classification', higherIsBetter: true, binaryOnly: true },
  roc_auc: { name: 'roc_auc', task: 'classification', higherIsBetter: true },
  log_loss: { name: 'log_loss', task: 'classification', higherIsBetter: false },
  rmse: { name: 'rmse', task: 'regression', higherIsBetter: false },
  mse: { name: 'mse', task: 'regression', higherIsBetter: false },
  mae: { name: 'mae', task: 'regression', higherIsBetter: false },
  r2: { name: 'r2', task: 'regression', higherIsBetter: true },
};

/** Whether `name` is a metric Sluice knows. */
export function isMetricName(name: string): name is MetricName {
  return (METRIC_NAMES as readonly string[]).includes(name);
}

/**
 * Scores a prediction against a target by metric name. `pred` is the row-major `n x k`
 * probability matrix for classification (the predicted class is its argmax) and the predicted
 * values for regression.
 */
export function scoreMetric(name: MetricName, target: Target, pred: Float64Array): number {
  const spec = METRICS[name];
  if (spec.task !== target.kind) {
    throw new SluiceError('ML_METRIC_TASK', `metric "${name}" is for ${spec.task}, the target is ${target.kind}`, {
      hint: `choose one of: ${METRIC_NAMES.filter((m) => METRICS[m].task === target.kind).join(', ')}`,
    });
  }
  if (target.kind === 'regression') {
    const y = target.values;
    if (name === 'rmse') return rmse(y, pred);
    if (name === 'mse') return mse(y, pred);
    if (name === 'mae') return mae(y, pred);
    return r2(y, pred);
  }
  const k = target.labels.length;
  const y = target.codes;
  if (name === 'log_loss') return logLoss(y, pred, k);
  if (name === 'roc_auc') return rocAuc(y, pred, k);
  const yPred = argmaxRows(pred, k);
  if (name === 'accuracy') return accuracy(y, yPred);
  if (name === 'balanced_accuracy') return balancedAccuracy(y, yPred, k);
  if (name === 'macro_f1') return macroF1(y, yPred, k);
  return f1Score(y, yPred, 1);
}

/** True when score `a` is strictly better than `b` under the metric. NaN is never better. */
export function isBetter(name: MetricName, a: number, b: number): boolean {
  if (Number.isNaN(a)) return false;
  if (Number.isNaN(b)) return true;
  return METRICS[name].higherIsBetter ? a > b : a < b;
}
