import { SluiceError } from '../../core/errors.js';

/**
 * Hyperparameters of gradient-boosted trees. Defaults follow scikit-learn's HistGradientBoosting
 * (31 leaves, 20 rows per leaf, 255 bins, early stopping on 10% of the rows past 10,000 rows,
 * patience 10) except for stochastic boosting: each iteration samples half the rows. Up to
 * 200,000 rows the learning rate is also halved (0.05, up to 200 iterations): on the seed data
 * this gave a lower holdout log loss than the deterministic 0.1 on each of four random splits.
 * Past that, 0.1 and 100 iterations, as there the variance a smaller step removes matters less
 * and each iteration costs more (see docs/benchmarks-ml.md).
 */
export interface GbdtParams {
  /** Boosting iterations (one tree per class per iteration for multiclass). */
  maxIter: number;
  learningRate: number;
  /** Leaves per tree; trees grow best-first up to this. `Infinity` grows depth-first. */
  maxLeaves: number;
  /** Depth limit (root has depth 0); `Infinity` for none. */
  maxDepth: number;
  minSamplesLeaf: number;
  /** L2 regularisation of leaf values (lambda). */
  l2: number;
  /** Smallest hessian sum a child may have. */
  minHessian: number;
  /** Smallest gain worth a split. */
  minGain: number;
  /** Non-missing bins per feature, 2..255. */
  maxBins: number;
  /** Fraction of rows sampled (without replacement) for each iteration. */
  subsample: number;
  /** Fraction of features sampled for each tree. */
  featureFraction: number;
  /** Smoothing added to the hessian when ordering categories for a split. */
  catSmooth: number;
  /** `auto`: on when there are more than 10,000 rows or a validation set is given. */
  earlyStopping: 'auto' | boolean;
  /** Share of training rows held out (stratified) for early stopping when no validation set is given. */
  validationFraction: number;
  /** Stop after this many iterations without improvement of the validation loss. */
  nIterNoChange: number;
  /** Improvement smaller than this does not count. */
  tol: number;
  seed: number;
  /**
   * Threads that build each histogram and split each big node's rows (the caller's and
   * `threads - 1` workers, see `histThreads.ts`): the model is the same for every value. 1 by
   * default.
   */
  threads: number;
}

export const GBDT_DEFAULTS: GbdtParams = {
  maxIter: 200,
  learningRate: 0.05,
  maxLeaves: 31,
  maxDepth: Infinity,
  minSamplesLeaf: 20,
  l2: 0,
  minHessian: 1e-3,
  minGain: 1e-7,
  maxBins: 255,
  subsample: 0.5,
  featureFraction: 1,
  catSmooth: 10,
  earlyStopping: 'auto',
  validationFraction: 0.1,
  nIterNoChange: 10,
  tol: 1e-7,
  seed: 0,
  threads: 1,
};

/** Most threads a fit may use. */
export const MAX_THREADS = 64;

/** Rows past which the default learning rate is 0.1 (100 iterations) instead of 0.05 (200). */
export const GBDT_LARGE_DATA_ROWS = 200_000;

/**
 * Defaults filled in (the learning rate and iteration count depend on `nRows`, see above) and
 * ranges checked; `null` (from JSON) means `Infinity` for limits.
 */
export function resolveGbdtParams(p: Partial<GbdtParams> = {}, nRows = 0): GbdtParams {
  const large = nRows > GBDT_LARGE_DATA_ROWS ? { learningRate: 0.1, maxIter: 100 } : {};
  const r = { ...GBDT_DEFAULTS, ...large, ...stripUndefined(p) };
  if (r.maxLeaves === null) r.maxLeaves = Infinity;
  if (r.maxDepth === null) r.maxDepth = Infinity;
  const check = (ok: boolean, name: string, want: string): void => {
    if (!ok) {
      throw new SluiceError('ML_BAD_PARAM', `gbdt: ${name} must be ${want}, got ${String(r[name as keyof GbdtParams])}`, {
        location: { field: name },
      });
    }
  };
  check(Number.isInteger(r.maxIter) && r.maxIter >= 1, 'maxIter', 'an integer >= 1');
  check(r.learningRate > 0, 'learningRate', '> 0');
  check(r.maxLeaves >= 2, 'maxLeaves', '>= 2');
  check(r.maxDepth >= 1, 'maxDepth', '>= 1');
  check(r.minSamplesLeaf >= 1, 'minSamplesLeaf', '>= 1');
  check(r.l2 >= 0, 'l2', '>= 0');
  check(r.maxBins >= 2 && r.maxBins <= 255, 'maxBins', 'between 2 and 255');
  check(r.subsample > 0 && r.subsample <= 1, 'subsample', 'in (0, 1]');
  check(r.featureFraction > 0 && r.featureFraction <= 1, 'featureFraction', 'in (0, 1]');
  check(Number.isInteger(r.threads) && r.threads >= 1 && r.threads <= MAX_THREADS, 'threads', `an integer from 1 to ${MAX_THREADS}`);
  check(r.validationFraction > 0 && r.validationFraction < 1, 'validationFraction', 'in (0, 1)');
  return r;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
