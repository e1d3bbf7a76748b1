/**
 * One fit of Sluice's GBDT and one of scikit-learn's HistGradientBoostingClassifier, each in a
 * fresh process, with the same hyperparameters: what bench/ml/gbdtBench.ts (several runs of one
 * split) and bench/ml/gbdtSeeds.ts (one run of several splits) both compare, so the two cannot
 * drift apart. scikit-learn's defaults with early stopping off (100 iterations, learning rate 0.1,
 * 31 leaves, 20 rows per leaf, 255 bins, no L2) and Sluice set to the same (no row subsampling).
 * `threads` is Sluice's `threads` setting and scikit-learn's OMP_NUM_THREADS, with
 * OMP_WAIT_POLICY=passive so idle OpenMP threads sleep instead of spinning on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { serialize } from 'node:v8';
import { type Frame, type Target, takeRows, takeTarget } from '../../src/ml/frame.js';
import { TARGET } from './benchData.js';

export const SKLEARN_PARAMS = {
  max_iter: 100,
  learning_rate: 0.1,
  max_leaf_nodes: 31,
  min_samples_leaf: 20,
  max_bins: 255,
  l2_regularization: 0,
  early_stopping: false,
};

/** Sluice's settings equal to {@link SKLEARN_PARAMS}, with `threads` threads. */
export function sluiceParams(threads: number) {
  return { maxIter: 100, learningRate: 0.1, maxLeaves: 31, minSamplesLeaf: 20, maxBins: 255, l2: 0, earlyStopping: false, subsample: 1, threads };
}

/** What each fit process prints: the fit's wall and CPU seconds, its iterations, the holdout log loss. */
export interface Fit {
  fit_s: number;
  cpu_s: number;
  iterations: number;
  log_loss: number;
}

/** The two fits with `threads` threads: Sluice on a frames file ({@link writeFrames}), scikit-learn on the CSV and a split file. */
export function fitters(threads: string): { fitSluice: (frames: string) => Fit; fitSklearn: (csv: string, splitPath: string) => Fit } {
  const env = { ...process.env, OMP_NUM_THREADS: threads, OMP_WAIT_POLICY: 'passive', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const sluice = JSON.stringify(sluiceParams(Number(threads)));
  const sklearn = JSON.stringify(SKLEARN_PARAMS);
  return {
    fitSluice: (frames) =>
      JSON.parse(
        execFileSync(process.execPath, ['--import', 'tsx', new URL('./gbdtFit.ts', import.meta.url).pathname, frames, sluice], { env }).toString(),
      ) as Fit,
    fitSklearn: (csv, splitPath) =>
      JSON.parse(
        execFileSync('/usr/bin/python3', [new URL('./hgb_fit.py', import.meta.url).pathname, csv, splitPath, TARGET, sklearn], { env }).toString(),
      ) as Fit,
  };
}

/** The training and holdout rows of a split, as bench/ml/gbdtFit.ts reads them (`v8.serialize`). */
export function writeFrames(path: string, frame: Frame, target: Target, split: { train: Uint32Array; test: Uint32Array }): void {
  writeFileSync(
    path,
    serialize({
      train: takeRows(frame, split.train),
      yTrain: takeTarget(target, split.train),
      test: takeRows(frame, split.test),
      yTest: takeTarget(target, split.test),
    }),
  );
}
