import { type LearnerDefinition, round3 } from '../learnerDefinition.js';
import { linearShared } from './linearShared.js';
import { LinearModel } from './linearModel.js';
import { type LogisticParams, trainLogistic } from './trainLogistic.js';

/** L2-regularised logistic regression (binary or multinomial), as scikit-learn's. */
export const logisticLearner: LearnerDefinition<'logistic'> = {
  name: 'logistic',
  description: 'L2-regularised logistic regression (L-BFGS)',
  tasks: ['classification'],
  settings: { C: { types: ['number'], description: "inverse L2 strength, as scikit-learn's C, > 0" }, ...linearShared.settings },
  train: (frame, target, params, options) =>
    trainLogistic(frame, target, params as Partial<LogisticParams>, options.deadline === undefined ? {} : { deadline: options.deadline }),
  load: (json) => LinearModel.fromJSON(json),
  search: { defaults: [{ rank: 2, params: {} }], weight: 0.1, draw: (rng) => ({ C: round3(rng.logUniform(0.001, 100)) }) },
  cost: linearShared.cost,
  info: linearShared.info,
};
