import { SluiceError } from '../core/errors.js';
import { trainBaseline } from './baseline/trainBaseline.js';
import { trainForest } from './forest/trainForest.js';
import type { Frame, Target } from './frame.js';
import { trainGbdt } from './gbdt/trainGbdt.js';
import { trainLinear } from './linear/trainLinear.js';
import { trainLogistic } from './linear/trainLogistic.js';
import type { LearnerName, Model } from './model.js';

/** Learners that can be trained from a name and plain-JSON hyperparameters (not ensembles). */
export type TrainableLearner = Exclude<LearnerName, 'ensemble'>;

/**
 * Trains a learner by name: how AutoML tasks, which cross a thread boundary as plain data,
 * reach the learners. `deadline` (epoch ms) makes iterative learners stop early; `validation`
 * is what gradient boosting early-stops on (other learners ignore it).
 */
export function trainByName(
  learner: TrainableLearner,
  frame: Frame,
  target: Target,
  params: Record<string, unknown>,
  deadline?: number,
  validation?: { frame: Frame; target: Target },
): Model {
  const opts = deadline === undefined ? {} : { deadline };
  switch (learner) {
    case 'gbdt':
      return trainGbdt(frame, target, params, validation ? { ...opts, validation } : opts);
    case 'forest':
      return trainForest(frame, target, params, opts);
    case 'logistic':
      return trainLogistic(frame, target, params, opts);
    case 'linear':
      return trainLinear(frame, target, params, opts);
    case 'baseline':
      return trainBaseline(frame, target);
    default:
      throw new SluiceError('ML_UNKNOWN_LEARNER', `unknown learner "${String(learner)}"`, { hint: 'use gbdt, forest, logistic, linear or baseline' });
  }
}
