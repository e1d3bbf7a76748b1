import type { LearnerDefinition } from '../learnerDefinition.js';
import { BaselineModel, trainBaseline } from './trainBaseline.js';

/** The model that ignores the features: in every search, to show what learning nothing scores. */
export const baselineLearner: LearnerDefinition<'baseline'> = {
  name: 'baseline',
  description: 'class frequencies or the mean: ignores the features',
  tasks: ['classification', 'regression'],
  settings: {},
  train: (frame, target) => trainBaseline(frame, target),
  load: (json) => BaselineModel.fromJSON(json),
  search: { defaults: [{ rank: 0, params: {} }], weight: 0, always: true },
  cost: { units: (_p, rows) => rows, calibration: {} },
};
