import { alignFrame } from '../../ml/alignFrame.js';
import { type Frame, frameSchema, takeRows, takeTarget, type Target } from '../../ml/frame.js';
import { binColumns } from '../../ml/gbdt/binned.js';
import { fitBinMapper } from '../../ml/gbdt/binMapper.js';
import { r2 } from '../../ml/metrics/regression.js';
import { aucFromRankSum, oneVsRestAuc } from '../../ml/metrics/rocAuc.js';
import { Rng, sampleWithoutReplacement } from '../../ml/random.js';
import type { ModelSectionInput } from '../reportPlugins.js';
import type { PredictionPower } from '../reportSchema.js';
import { loadModelData, MODEL_MAX_ROWS } from './loadModelData.js';
import { split80 } from './split80.js';

/** Training rows per numeric bin at least (so each bin's estimate rests on enough rows), and the most bins. */
const ROWS_PER_BIN = 40;
const MAX_BINS = 64;
/** Weight, in rows, of the prior (the training class shares or mean) in each bin's estimate. */
const PRIOR_ROWS = 2;
/**
 * Training rows a bin needs to predict anything but the prior (scikit-learn's `min_samples_leaf`
 * default, which the boosted one-feature models this replaced had): a dozen rows cannot show a
 * leak, and a level seen a few times predicts nothing.
 */
const MIN_BIN_ROWS = 20;

function sample(frame: Frame, target: Target, max: number, seed: number): { frame: Frame; target: Target } {
  if (frame.nRows <= max) return { frame, target };
  const rows = sampleWithoutReplacement(new Rng(seed), frame.nRows, max).sort();
  return { frame: takeRows(frame, rows), target: takeTarget(target, rows) };
}

/**
 * Prediction power: how well each feature ALONE predicts the target on held-out rows, in
 * [0, 1]. Every feature is binned once (quantile bins of at least 40 training rows, at most 64,
 * for numbers; one bin per level, the 254 most frequent, for categories; missing values a bin of
 * their own) on the quick model's stratified 80/20 split, and the one-feature model predicts a
 * held-out row by its bin's training class shares (or mean), each shrunk toward the overall
 * shares by two rows' weight; a bin of fewer than 20 training rows, a level or a value range
 * unseen in training predicts the prior. Scores: classification
 * `max(0, 2·(ROC AUC − 0.5))` (one-vs-rest macro AUC as `ml/metrics/rocAuc`, 0 = no better than chance, 1 = perfect),
 * regression `max(0, R²)`. A score near 1 means the feature alone gives the answer: target
 * leakage. A frame of more than `MODEL_MAX_ROWS` rows (training's) is sampled to that size first.
 *
 * One pass over the binned columns per feature: every row of the split is used, for what
 * fifteen small boosted models on a few thousand rows used to cost.
 */
export async function predictionPower(input: ModelSectionInput): Promise<PredictionPower | undefined> {
  if (!input.target) return undefined;
  const data = await loadModelData(input);
  if (data.frame.nRows < 10) return undefined;
  return predictionPowerOfFrame(data.frame, data.target!);
}

/** Prediction power of each feature of a frame (see {@link predictionPower}); training's leak check uses it too. */
export function predictionPowerOfFrame(frame: Frame, target: Target): PredictionPower {
  // Training passes every row: a seeded sample of the report's size first, so millions of rows
  // cost what the report's frame does.
  const bounded = sample(frame, target, MODEL_MAX_ROWS, 3);
  const s = split80(bounded.frame, bounded.target);
  const maxBins = Math.max(2, Math.min(MAX_BINS, Math.floor(s.train.nRows / ROWS_PER_BIN)));
  // Numbers in quantile bins sized to the rows; categories keep up to 255 levels apart (a code
  // or id that gives the answer must not hide in a shared "other" bin).
  const only = (kind: 'numeric' | 'categorical'): Frame => ({ nRows: s.train.nRows, features: s.train.features.filter((f) => f.kind === kind) });
  const numeric = fitBinMapper(only('numeric'), { maxBins }).features;
  const categorical = fitBinMapper(only('categorical'), { maxBins: 255 }).features;
  const mapper = { features: s.train.features.map((f) => (f.kind === 'numeric' ? numeric : categorical).shift()!) };
  const train = binColumns(mapper, s.train);
  const test = binColumns(mapper, alignFrame(frameSchema(s.train), s.test));
  const method = s.testY.kind === 'classification' ? 'binned_one_feature_auc' : 'binned_one_feature_r2';
  return frame.features.map((f, i) => {
    const nb = mapper.features[i]!.nBins + 1;
    const trainBins = train.subarray(i * s.train.nRows, (i + 1) * s.train.nRows);
    const testBins = test.subarray(i * s.test.nRows, (i + 1) * s.test.nRows);
    const score =
      s.trainY.kind === 'classification' && s.testY.kind === 'classification'
        ? 2 * (binnedAuc(trainBins, s.trainY.codes, testBins, s.testY.codes, s.trainY.labels.length, nb) - 0.5)
        : s.trainY.kind === 'regression' && s.testY.kind === 'regression'
          ? r2(s.testY.values, binMeans(trainBins, s.trainY.values, nb, testBins))
          : NaN;
    return { feature: f.name, score: Number.isFinite(score) ? Math.min(1, Math.max(0, score)) : 0, method };
  });
}

/**
 * One-vs-rest macro ROC AUC (as {@link rocAuc}) of the model that gives each test row its bin's
 * smoothed training class shares. The scores take one value per bin, so the rank sum is
 * computed over bins (test positives and negatives counted per bin, tied scores sharing their
 * average rank) rather than by sorting the rows.
 */
export function binnedAuc(trainBins: Uint8Array, codes: Int32Array, testBins: Uint8Array, testCodes: Int32Array, k: number, nb: number): number {
  const counts = new Float64Array(nb * k);
  const prior = new Float64Array(k);
  for (let r = 0; r < trainBins.length; r++) {
    counts[trainBins[r]! * k + codes[r]!]!++;
    prior[codes[r]!]!++;
  }
  for (let c = 0; c < k; c++) prior[c]! /= trainBins.length;
  const size = new Float64Array(nb);
  for (let b = 0; b < nb; b++) for (let c = 0; c < k; c++) size[b]! += counts[b * k + c]!;
  const testCounts = new Float64Array(nb * k);
  for (let r = 0; r < testBins.length; r++) testCounts[testBins[r]! * k + testCodes[r]!]!++;
  const testSize = new Float64Array(nb);
  for (let b = 0; b < nb; b++) for (let c = 0; c < k; c++) testSize[b]! += testCounts[b * k + c]!;
  const one = (c: number): number => {
    const score = (b: number) => (size[b]! < MIN_BIN_ROWS ? prior[c]! : (counts[b * k + c]! + PRIOR_ROWS * prior[c]!) / (size[b]! + PRIOR_ROWS));
    const order = Array.from({ length: nb }, (_, b) => b).sort((a, b) => score(a) - score(b));
    return aucFromRankSum((visit) => {
      for (let i = 0; i < nb; ) {
        let j = i;
        let pos = 0;
        let all = 0;
        while (j < nb && score(order[j]!) === score(order[i]!)) {
          pos += testCounts[order[j]! * k + c]!;
          all += testSize[order[j]!]!;
          j++;
        }
        visit(pos, all);
        i = j;
      }
    });
  };
  return oneVsRestAuc(k, one);
}

/** Each test row's prediction: its bin's smoothed training mean. */
function binMeans(trainBins: Uint8Array, values: Float64Array, nb: number, testBins: Uint8Array): Float64Array {
  const sum = new Float64Array(nb);
  const n = new Float64Array(nb);
  let total = 0;
  for (let r = 0; r < trainBins.length; r++) {
    sum[trainBins[r]!]! += values[r]!;
    n[trainBins[r]!]!++;
    total += values[r]!;
  }
  const mean = total / trainBins.length;
  const out = new Float64Array(testBins.length);
  for (let r = 0; r < testBins.length; r++) {
    const b = testBins[r]!;
    out[r] = n[b]! < MIN_BIN_ROWS ? mean : (sum[b]! + PRIOR_ROWS * mean) / (n[b]! + PRIOR_ROWS);
  }
  return out;
}
