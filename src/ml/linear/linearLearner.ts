import { type LearnerDefinition, round3 } from '../learnerDefinition.js';
import { linearShared } from './linearShared.js';
import { LinearModel } from './linearModel.js';
import { type LinearParams, trainLinear } from './trainLinear.js';

/** Ridge regression, the regression counterpart of logistic regression. */
export const linearLearner: LearnerDefinition<'linear'> = {
  name: 'linear',
  description: 'ridge regression (L-BFGS)',
  tasks: ['regression'],
  settings: { alpha: { types: ['number'], description: "L2 strength, as scikit-learn Ridge's alpha" }, ...linearShared.settings },
  train: (frame, target, params, options) =>
    trainLinear(frame, target, params as Partial<LinearParams>, options.deadline === undefined ? {} : { deadline: options.deadline }),
  load: (json) => LinearModel.fromJSON(json),
  search: { defaults: [{ rank: 2, params: {} }], weight: 0.1, draw: (rng) => ({ alpha: round3(rng.logUniform(0.01, 1000)) }) },
  cost: linearShared.cost,
  info: linearShared.info,
};
