/**
 * What a fit will cost, before it starts. A fit's work is counted in units that grow with what
 * each learner loops over (rows x features x rounds, trees or iterations); seconds per unit are
 * calibrated per learner by timing a small fit of the same data on this machine, now (so a
 * loaded machine gets slower, honest estimates). The estimate plans the search (how many rows
 * it can afford) and the refit (whether all rows fit in what is left of the budget).
 */
import { type Frame, takeRows, takeTarget, type Target } from '../frame.js';
import { Rng, sampleWithoutReplacement } from '../random.js';
import { LEARNERS, learnerDefinition, type TrainableLearner } from '../learners.js';
import { trainByName } from '../trainByName.js';

/** Seconds per work unit, per learner (a learner absent here was not calibrated). */
export type FitCost = Partial<Record<TrainableLearner, number>>;

/** Rows a calibration fit uses at most. */
export const CALIBRATION_ROWS = 5_000;

/**
 * Work units of one fit of `learner` with `params` on `rows` rows of `features` features: what
 * the learner's loops grow with, as its definition says (`cost.units`; e.g. gradient boosting:
 * rows x subsample x features x featureFraction x rounds).
 */
export function fitUnits(learner: TrainableLearner, params: Record<string, unknown>, rows: number, features: number): number {
  return learnerDefinition(learner)!.cost.units(params, rows, features);
}

/** Estimated seconds of one fit; undefined when the learner was not calibrated. */
export function estimateFitSeconds(
  cost: FitCost,
  learner: TrainableLearner,
  params: Record<string, unknown>,
  rows: number,
  features: number,
): number | undefined {
  const perUnit = cost[learner];
  return perUnit === undefined ? undefined : perUnit * fitUnits(learner, params, rows, features);
}

/**
 * Times a small fit of each learner (its definition's `cost.calibration`) on at most `CALIBRATION_ROWS` rows of the data (seeded
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
  const always = LEARNERS.filter((l) => l.search.always).map((l) => l.name);
  for (const learner of new Set<TrainableLearner>([...always, ...learners])) {
    const params = learnerDefinition(learner)!.cost.calibration;
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
