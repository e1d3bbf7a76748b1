import { SluiceError } from '../core/errors.js';
import { checkLearnerSettings } from './checkLearnerSettings.js';
import type { Frame, Target } from './frame.js';
import { LEARNER_NAMES, learnerDefinition, type TrainableLearner } from './learners.js';
import type { Model } from './model.js';

export type { TrainableLearner } from './learners.js';

/**
 * Trains a learner by name: how AutoML tasks, which cross a thread boundary as plain data,
 * reach the learners. `params` are checked against the learner's settings schema.
 * `deadline` (epoch ms) makes iterative learners stop early; `validation` is what learners
 * with early stopping stop on (others ignore it).
 */
export function trainByName(
  learner: TrainableLearner,
  frame: Frame,
  target: Target,
  params: Record<string, unknown>,
  deadline?: number,
  validation?: { frame: Frame; target: Target },
): Model {
  const def = learnerDefinition(learner);
  if (!def) throw new SluiceError('ML_UNKNOWN_LEARNER', `unknown learner "${String(learner)}"`, { hint: `use ${LEARNER_NAMES.join(', ')}` });
  checkLearnerSettings(def, params);
  return def.train(frame, target, params, { ...(deadline === undefined ? {} : { deadline }), ...(validation ? { validation } : {}) });
}
