import { takeRows, takeTarget, type Frame, type Target } from '../../ml/frame.js';
import { Rng, sampleWithoutReplacement } from '../../ml/random.js';
import { trainGbdt } from '../../ml/gbdt/trainGbdt.js';
import { r2 } from '../../ml/metrics/regression.js';
import { rocAuc } from '../../ml/metrics/rocAuc.js';
import type { ModelSectionInput } from '../reportPlugins.js';
import type { PredictionPower } from '../reportSchema.js';
import { loadModelData, MODEL_MAX_ROWS } from './loadModelData.js';
import { split80 } from './quickModel.js';

/** Training and held-out rows the one-feature models use at most (seeded samples above it). */
const MAX_TRAIN = 3000;
const MAX_TEST = 1500;

function sample(frame: Frame, target: Target, max: number, seed: number): { frame: Frame; target: Target } {
  if (frame.nRows <= max) return { frame, target };
  const rows = sampleWithoutReplacement(new Rng(seed), frame.nRows, max).sort();
  return { frame: takeRows(frame, rows), target: takeTarget(target, rows) };
}

/**
 * Prediction power: for every feature alone, a small gradient-boosted model (20 iterations at learning rate 0.3,
 * 8 leaves) on the quick model's stratified 80/20 split (at most 3,000 training and 1,500
 * held-out rows, sampled with a fixed seed), scored on the held-out rows and normalised to
 * [0, 1]: classification `max(0, 2·(ROC AUC − 0.5))` (one-vs-rest macro AUC, 0 = no better than
 * chance, 1 = perfect), regression `max(0, R²)`. A score near 1 means the feature alone gives
 * the answer: target leakage. A frame of more than `MODEL_MAX_ROWS` rows (training's) is
 * sampled to that size first.
 */
export async function predictionPower(input: ModelSectionInput): Promise<PredictionPower | undefined> {
  if (!input.target) return undefined;
  const data = await loadModelData(input);
  if (data.frame.nRows < 10) return undefined;
  return predictionPowerOfFrame(data.frame, data.target!);
}

/** Prediction power of each feature of a frame (see {@link predictionPower}); training's leak check uses it too. */
export function predictionPowerOfFrame(frame: Frame, target: Target): PredictionPower {
  const data = { frame };
  // Training passes every row: a seeded sample of the report's size first, so millions of rows
  // cost what the report's frame does (the one-feature models use a few thousand anyway).
  const bounded = sample(frame, target, MODEL_MAX_ROWS, 3);
  const full = split80(bounded.frame, bounded.target);
  const tr = sample(full.train, full.trainY, MAX_TRAIN, 1);
  const te = sample(full.test, full.testY, MAX_TEST, 2);
  const s = { train: tr.frame, trainY: tr.target, test: te.frame, testY: te.target };
  const method = s.testY.kind === 'classification' ? 'gbdt_one_feature_auc' : 'gbdt_one_feature_r2';
  return data.frame.features.map((f, i) => {
    const one = (fr: Frame): Frame => ({ nRows: fr.nRows, features: [fr.features[i]!] });
    const model = trainGbdt(one(s.train), s.trainY, { maxIter: 20, maxLeaves: 8, learningRate: 0.3, earlyStopping: false, seed: 0 });
    const out = model.output(one(s.test));
    let score: number;
    if (s.testY.kind === 'classification') score = 2 * (rocAuc(s.testY.codes, out, s.testY.labels.length) - 0.5);
    else score = r2(s.testY.values, out);
    return { feature: f.name, score: Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0, method };
  });
}
