import { SluiceError } from '../../core/errors.js';
import type { Target } from '../frame.js';
import type { MetricName } from '../metrics/metricRegistry.js';

export type ProblemType = 'binary' | 'multiclass' | 'regression';

/**
 * The metric models are selected by when the caller names none: SageMaker Autopilot's
 * defaults (MSE for regression, F1 for binary classification, accuracy for multiclass).
 */
export const DEFAULT_METRIC: Record<ProblemType, MetricName> = { binary: 'f1', multiclass: 'accuracy', regression: 'mse' };

/**
 * Guesses the problem type from raw target values, as Autopilot does when none is given:
 * text → classification; numbers → binary if two distinct values, classification if they are
 * few integers (at most 20 distinct values and at most 10% of the rows), regression otherwise.
 * Missing values (null, undefined, '', NaN) are ignored.
 */
export function detectProblemType(values: ArrayLike<string | number | null | undefined>): ProblemType {
  const distinct = new Set<string | number>();
  let numeric = true;
  let integers = true;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) continue;
    n++;
    const num = typeof v === 'number' ? v : Number(v.trim());
    if (!Number.isFinite(num)) numeric = false;
    else if (!Number.isInteger(num)) integers = false;
    distinct.add(typeof v === 'number' ? v : numeric && Number.isFinite(num) ? num : v);
  }
  if (n === 0) {
    throw new SluiceError('ML_EMPTY_TARGET', 'the target column has no values', { hint: 'choose a target column that is filled in' });
  }
  if (distinct.size <= 2) return 'binary';
  if (!numeric) return 'multiclass';
  if (integers && distinct.size <= 20 && distinct.size <= 0.1 * n) return 'multiclass';
  return 'regression';
}

/** The problem type of a built target. */
export function problemTypeOf(target: Target): ProblemType {
  if (target.kind === 'regression') return 'regression';
  return target.labels.length === 2 ? 'binary' : 'multiclass';
}

/**
 * Builds a target from raw values for a problem type: classes get codes in sorted label order
 * (numbers numerically), missing values code -1 / NaN.
 */
export function targetFromValues(values: ArrayLike<string | number | null | undefined>, type: ProblemType = detectProblemType(values)): Target {
  const n = values.length;
  const isMissing = (v: unknown): boolean => v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v));
  if (type === 'regression') {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = values[i];
      out[i] = isMissing(v) ? NaN : Number(v);
    }
    return { kind: 'regression', values: out };
  }
  const labels = [
    ...new Set(
      Array.from({ length: n }, (_, i) => values[i])
        .filter((v) => !isMissing(v))
        .map((v) => String(v)),
    ),
  ];
  const allNumeric = labels.every((l) => Number.isFinite(Number(l)));
  labels.sort(allNumeric ? (a, b) => Number(a) - Number(b) : undefined);
  const index = new Map(labels.map((l, i) => [l, i] as const));
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    codes[i] = isMissing(v) ? -1 : index.get(String(v))!;
  }
  return { kind: 'classification', codes, labels };
}
