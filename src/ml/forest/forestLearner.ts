import { type LearnerDefinition, numberSetting, type SettingSpec } from '../learnerDefinition.js';
import { ForestModel } from './forestModel.js';
import type { ForestParams } from './forestParams.js';
import { trainForest } from './trainForest.js';

/** A random forest on the boosting histograms: bootstrap samples, random features per split. */
export const forestLearner: LearnerDefinition<'forest'> = {
  name: 'forest',
  description: 'random forest (Gini / variance splits on binned features)',
  tasks: ['classification', 'regression'],
  settings: {
    nTrees: { types: ['integer'], description: 'trees, >= 1' },
    maxFeatures: { types: ['number'], words: ['sqrt', 'third'], description: "features tried per split: 'sqrt', 'third' or a fraction in (0, 1]" },
    minSamplesLeaf: { types: ['number'], description: 'rows per leaf, >= 1' },
    maxDepth: { types: ['number', 'null'], description: 'depth limit; null for none' },
    sampleFraction: { types: ['number'], description: 'bootstrap sample size as a fraction of the rows, (0, 1]' },
    maxBins: { types: ['integer'], description: 'bins per feature, 2..255' },
    seed: { types: ['integer'], description: 'random seed' },
  } satisfies Record<keyof ForestParams, SettingSpec>,
  train: (frame, target, params, options) =>
    trainForest(frame, target, params as Partial<ForestParams>, options.deadline === undefined ? {} : { deadline: options.deadline }),
  load: (json) => ForestModel.fromJSON(json),
  search: {
    defaults: [{ rank: 3, params: { nTrees: 60, minSamplesLeaf: 20, sampleFraction: 0.5 } }],
    weight: 0.15,
    draw: (rng) => ({
      nTrees: 100,
      minSamplesLeaf: rng.pick([3, 5, 10, 20, 50]),
      maxFeatures: rng.pick(['sqrt', 0.3, 0.5, 0.7] as const),
      sampleFraction: rng.pick([0.5, 0.7, 1]),
      seed: rng.int(1000),
    }),
  },
  cost: {
    // trees x sampled rows x features x depth (log2 of rows per leaf)
    units: (p, rows, features) => {
      const sampled = rows * numberSetting(p, 'sampleFraction', 1);
      const depth = Math.max(1, Math.log2(Math.max(2, sampled / numberSetting(p, 'minSamplesLeaf', 5))));
      return numberSetting(p, 'nTrees', 100) * sampled * Math.max(1, features) * depth;
    },
    calibration: { nTrees: 4, minSamplesLeaf: 20, sampleFraction: 0.5 },
  },
  info: (model) => {
    const m = model as ForestModel;
    const wanted = (m.params as { nTrees?: number }).nTrees;
    return { trees: m.trees.length, ...(wanted !== undefined && m.trees.length < wanted ? { stoppedBy: 'deadline' } : {}) };
  },
};
