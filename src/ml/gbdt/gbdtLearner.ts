import { type LearnerDefinition, numberSetting, round3, type SettingSpec } from '../learnerDefinition.js';
import { GbdtModel } from './gbdtModel.js';
import type { GbdtParams } from './gbdtParams.js';
import { trainGbdt } from './trainGbdt.js';

/** Rounds gradient boosting is expected to run: its cap, early stopping aside (an upper estimate). */
const ROUNDS_CAP = 200;
const num = (description: string) => ({ types: ['number'] as const, description });
const int = (description: string) => ({ types: ['integer'] as const, description });

/**
 * Histogram gradient-boosted trees: the strongest learner on tabular data, so AutoML gives it
 * most random draws (early stopping makes its iteration count free).
 */
export const gbdtLearner: LearnerDefinition<'gbdt'> = {
  name: 'gbdt',
  description: 'histogram gradient-boosted trees (binary, multiclass, squared error)',
  tasks: ['classification', 'regression'],
  settings: {
    maxIter: int('boosting iterations (one tree per class per iteration for multiclass)'),
    learningRate: num('shrinkage of each tree, > 0'),
    maxLeaves: { types: ['number', 'null'], description: 'leaves per tree (>= 2); null for no limit' },
    maxDepth: { types: ['number', 'null'], description: 'depth limit (>= 1); null for none' },
    minSamplesLeaf: num('rows per leaf, >= 1'),
    l2: num('L2 regularisation of leaf values, >= 0'),
    minHessian: num('smallest hessian sum of a child'),
    minGain: num('smallest gain worth a split'),
    maxBins: int('non-missing bins per feature, 2..255'),
    subsample: num('fraction of rows sampled per iteration, (0, 1]'),
    featureFraction: num('fraction of features sampled per tree, (0, 1]'),
    catSmooth: num('smoothing when ordering categories for a split'),
    earlyStopping: { types: ['boolean'], words: ['auto'], description: 'auto: on past 10,000 rows or with a validation set' },
    validationFraction: num('share of rows held out for early stopping, (0, 1)'),
    nIterNoChange: int('iterations without improvement before stopping'),
    tol: num('smallest improvement that counts'),
    seed: int('random seed'),
    threads: int('threads building each histogram (1 to 64, default 1); the model is the same for every value'),
  } satisfies Record<keyof GbdtParams, SettingSpec>,
  train: (frame, target, params, options) => trainGbdt(frame, target, params as Partial<GbdtParams>, options),
  load: (json) => GbdtModel.fromJSON(json),
  search: {
    defaults: [
      { rank: 1, params: {} },
      { rank: 4, params: { learningRate: 0.03, maxLeaves: 15, minSamplesLeaf: 50, l2: 1, maxIter: 1000 } },
      { rank: 5, params: { learningRate: 0.1, subsample: 1 } },
    ],
    weight: 0.75,
    draw: (rng) => ({
      learningRate: round3(rng.logUniform(0.02, 0.2)),
      maxLeaves: rng.pick([7, 15, 31, 63, 127]),
      minSamplesLeaf: rng.pick([5, 10, 20, 50, 100, 200]),
      l2: rng.pick([0, 0.1, 1, 10]),
      subsample: round3(rng.uniform(0.5, 1)),
      featureFraction: round3(rng.uniform(0.5, 1)),
      maxIter: 1000,
      seed: rng.int(1000),
    }),
  },
  cost: {
    // rows x subsample x features x featureFraction x rounds (histograms)
    units: (p, rows, features) =>
      rows *
      numberSetting(p, 'subsample', 0.5) *
      Math.max(1, features) *
      numberSetting(p, 'featureFraction', 1) *
      Math.min(numberSetting(p, 'maxIter', rows > 200_000 ? 100 : 200), ROUNDS_CAP),
    calibration: { maxIter: 10, earlyStopping: false },
  },
  info: (model) => {
    const m = model as GbdtModel;
    return { iterations: m.iterations, stoppedBy: m.stoppedBy };
  },
};
