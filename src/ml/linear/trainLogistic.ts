import { SluiceError } from '../../core/errors.js';
import { checkTrainingData } from '../checkTrainingData.js';
import { classCounts, type Frame, frameSchema, type Target } from '../frame.js';
import { buildDesign, fitDesign } from './design.js';
import { lbfgs } from './lbfgs.js';
import { linearObjective } from './linearObjective.js';
import { LinearModel } from './linearModel.js';

export interface LogisticParams {
  /** Inverse L2 strength, as scikit-learn's `C` (default 1). */
  C: number;
  maxIter: number;
  /** One-hot columns per categorical feature (rarer levels share one). */
  maxLevels: number;
}

export const LOGISTIC_DEFAULTS: LogisticParams = { C: 1, maxIter: 1000, maxLevels: 100 };

/**
 * Trains an L2-regularised logistic regression: binary with one logit for two classes,
 * multinomial (softmax) for more, on standardised numeric and one-hot categorical inputs,
 * solved with L-BFGS. Same objective as scikit-learn's `LogisticRegression(C=...)`.
 *
 * @example
 * const model = trainLogistic(frame, target, { C: 0.5 });
 */
export function trainLogistic(frame: Frame, target: Target, params: Partial<LogisticParams> = {}, options: { deadline?: number } = {}): LinearModel {
  checkTrainingData(frame, target, 'logistic');
  if (target.kind !== 'classification') {
    throw new SluiceError('ML_WRONG_TASK', 'logistic regression needs a classification target', { hint: 'use trainLinear for a numeric target' });
  }
  const p = { ...LOGISTIC_DEFAULTS, ...params };
  if (!(p.C > 0)) throw new SluiceError('ML_BAD_PARAM', `logistic: C must be > 0, got ${p.C}`, { location: { field: 'C' } });
  const spec = fitDesign(frame, p.maxLevels);
  const X = buildDesign(spec, frame);
  const nClasses = target.labels.length;
  const binary = nClasses === 2;
  const k = binary ? 1 : nClasses;
  const x0 = new Float64Array(spec.d * k + k);
  // Start from the class priors (the intercept-only optimum up to the penalty).
  const counts = classCounts(target.codes, nClasses);
  const n = frame.nRows;
  if (binary) x0[spec.d] = Math.log(Math.max(counts[1]!, 0.5) / Math.max(counts[0]!, 0.5));
  else for (let c = 0; c < k; c++) x0[spec.d * k + c] = Math.log(Math.max(counts[c]!, 0.5) / n);
  const fg = linearObjective(X, target.codes, binary ? 'binary' : 'multinomial', k, 1 / p.C);
  const res = lbfgs(fg, x0, { maxIter: p.maxIter, deadline: options.deadline });
  return new LinearModel(
    'classification',
    target.labels,
    frameSchema(frame),
    { ...p },
    binary ? 'binary' : 'multinomial',
    spec,
    res.x,
    k,
    res.iterations,
    res.converged,
  );
}
