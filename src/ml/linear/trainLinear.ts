import { SluiceError } from '../../core/errors.js';
import { checkTrainingData } from '../checkTrainingData.js';
import { type Frame, frameSchema, type Target } from '../frame.js';
import { buildDesign, fitDesign } from './design.js';
import { lbfgs } from './lbfgs.js';
import { linearObjective } from './linearObjective.js';
import { LinearModel } from './linearModel.js';

export interface LinearParams {
  /** L2 strength, as scikit-learn's Ridge `alpha` (default 1). */
  alpha: number;
  maxIter: number;
  maxLevels: number;
}

export const LINEAR_DEFAULTS: LinearParams = { alpha: 1, maxIter: 1000, maxLevels: 100 };

/**
 * Trains ridge regression on standardised numeric and one-hot categorical inputs (the
 * regression counterpart of {@link trainLogistic}). The target is standardised while solving
 * and the coefficients mapped back, which keeps the solver's tolerances meaningful whatever
 * the target's unit.
 */
export function trainLinear(frame: Frame, target: Target, params: Partial<LinearParams> = {}, options: { deadline?: number } = {}): LinearModel {
  checkTrainingData(frame, target, 'linear');
  if (target.kind !== 'regression') {
    throw new SluiceError('ML_WRONG_TASK', 'linear regression needs a numeric target', { hint: 'use trainLogistic for classes' });
  }
  const p = { ...LINEAR_DEFAULTS, ...params };
  const spec = fitDesign(frame, p.maxLevels);
  const X = buildDesign(spec, frame);
  const y = target.values;
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i]! - mean) ** 2;
  const sd = Math.sqrt(ss / n) || 1;
  const ys = Float64Array.from(y, (v) => (v - mean) / sd);
  const fg = linearObjective(X, ys, 'squared', 1, p.alpha);
  const res = lbfgs(fg, new Float64Array(spec.d + 1), { maxIter: p.maxIter, deadline: options.deadline });
  const coef = Float64Array.from(res.x, (w) => w * sd);
  coef[spec.d] = coef[spec.d]! + mean;
  return new LinearModel('regression', [], frameSchema(frame), { ...p }, 'squared', spec, coef, 1, res.iterations, res.converged);
}
