/**
 * What a fit will cost, before it starts. A fit's work is counted in units that grow with what
 * each learner loops over (rows x features x rounds, trees or iterations); seconds per unit are
 * calibrated per learner by timing a small fit of the same data on this machine, now (so a
 * loaded machine gets slower, honest estimates). The estimate plans the search (how many rows
 * it can afford) and the refit (whether all rows fit in what is left of the budget).
 */
import { type Frame, takeRows, takeTarget, type Target } from '../frame.js';
import { Rng, sampleWithoutReplacement } from '../random.js';
import { type TrainableLearner, trainByName } from '../trainByName.js';

/** Seconds per work unit, per learner (a learner absent here was not calibrated). */
export type FitCost = Partial<Record<TrainableLearner, number>>;

/** Rows a calibration fit uses at most. */
export const CALIBRATION_ROWS = 5_000;

/** Rounds gradient boosting is expected to run: its cap, early stopping aside (an upper estimate). */
const GBDT_ROUNDS_CAP = 200;

/**
 * Work units of one fit of `learner` with `params` on `rows` rows of `features` features.
 * Gradient boosting: rows x subsample x features x featureFraction x rounds (histograms);
 * forest: trees x sampled rows x features x depth (log2 of rows per leaf); logistic and linear:
 * rows x features x iterations (at most 100); the baseline: rows.
 */
export function fitUnits(learner: TrainableLearner, params: Record<string, unknown>, rows: number, features: number): number {
  const num = (k: string, d: number): number => (typeof params[k] === 'number' && Number.isFinite(params[k]) ? (params[k] as number) : d);
  const f = Math.max(1, features);
  switch (learner) {
    case 'gbdt': {
      const rounds = Math.min(num('maxIter', rows > 200_000 ? 100 : 200), GBDT_ROUNDS_CAP);
      return rows * num('subsample', 0.5) * f * num('featureFraction', 1) * rounds;
    }
    case 'forest': {
      const sampled = rows * num('sampleFraction', 1);
      const depth = Math.max(1, Math.log2(Math.max(2, sampled / num('minSamplesLeaf', 5))));
      return num('nTrees', 100) * sampled * f * depth;
    }
    case 'logistic':
    case 'linear':
      return rows * f * Math.min(num('maxIter', 100), 100);
    case 'baseline':
      return rows;
  }
}

/** Estimated seconds of one fit; undefined when the learner was not calibrated. */
export function estimateFitSeconds(cost: FitCost, learner: TrainableLearner, params: Record<string, unknown>, rows: number, features: number): number | undefined {
  const perUnit = cost[learner];
  return perUnit === undefined ? undefined : perUnit * fitUnits(learner, params, rows, features);
}

/** The small fits that calibrate each learner: short versions of its default configuration. */
const CALIBRATION_PARAMS: Record<TrainableLearner, Record<string, unknown>> = {
  gbdt: { maxIter: 10, earlyStopping: false },
  forest: { nTrees: 4, minSamplesLeaf: 20, sampleFraction: 0.5 },
  logistic: { maxIter: 30 },
  linear: { maxIter: 30 },
  baseline: {},
};

/**
 * Times a small fit of each learner on at most `CALIBRATION_ROWS` rows of the data (seeded
 * sample) and returns seconds per work unit. `clock` (milliseconds) is injectable so tests need
 * no wall clock.
 */
export function calibrateFitCost(
  frame: Frame,
  target: Target,
  learners: readonly TrainableLearner[],
  options: { seed?: number; clock?: () => number; rows?: number } = {},
): FitCost {
  const clock = options.clock ?? ((): number => performance.now());
  const n = Math.min(frame.nRows, options.rows ?? CALIBRATION_ROWS);
  const rows = n < frame.nRows ? sampleWithoutReplacement(new Rng(options.seed ?? 0), frame.nRows, n).sort() : null;
  const f = rows ? takeRows(frame, rows) : frame;
  const t = rows ? takeTarget(target, rows) : target;
  const cost: FitCost = {};
  for (const learner of new Set<TrainableLearner>(['baseline', ...learners])) {
    const params = CALIBRATION_PARAMS[learner];
    const start = clock();
    try {
      trainByName(learner, f, t, params);
    } catch {
      continue; // a learner that cannot fit these data is left uncalibrated; its candidates fail on their own
    }
    const seconds = Math.max(1e-4, (clock() - start) / 1000);
    cost[learner] = seconds / fitUnits(learner, params, n, f.features.length);
  }
  return cost;
}
