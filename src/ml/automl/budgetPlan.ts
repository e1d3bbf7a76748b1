/**
 * How AutoML spends its time budget, decided before the first candidate from estimated fit
 * costs (fitCost.ts), so the whole run ends on time at any size:
 *
 *   - the refit on all training rows is counted first: at most `REFIT_SHARE` of the budget;
 *     a bag of boosted models shrinks to one, then the refit rows to a stratified sample, until
 *     its estimate fits;
 *   - the search gets what is left, less a margin; when `MIN_SEARCH_FITS` fits of the reference
 *     learner on all rows would not fit in it (on the workers in parallel), it searches a
 *     stratified sample of the training rows that lets them.
 *
 * Pure: the same costs and budget give the same plan (tests need no clock).
 */
import { estimateFitSeconds, type FitCost } from './fitCost.js';
import type { TrainableLearner } from '../trainByName.js';

/** Share of the budget the refit may take. */
export const REFIT_SHARE = 0.3;
/** Share of the budget kept free for the end of the search (fits running past its stop). */
export const SEARCH_MARGIN = 0.1;
/** Reference fits the search must be able to run for a useful comparison. */
export const MIN_SEARCH_FITS = 8;
/** Fewer training rows than this are never sampled for the search or the refit. */
export const MIN_SAMPLE_ROWS = 2_000;

export interface BudgetInput {
  budgetSeconds: number;
  trainRows: number;
  features: number;
  workers: number;
  cost: FitCost;
  /** Boosted models averaged in the refit when the budget allows. */
  refitBag: number;
}

export interface BudgetPlan {
  /** Training rows the search uses (all of them, or a stratified sample). */
  searchRows: number;
  /** Seconds from the start during which candidates may start. */
  searchSeconds: number;
  /** Training rows the final model is refit on. */
  refitRows: number;
  /** Boosted models in the refit (1 when a bag would not fit). */
  refitBag: number;
  /** Estimated seconds of the refit (reference learner); NaN when nothing was calibrated. */
  refitSeconds: number;
  /** The learner the estimates are for. */
  reference: TrainableLearner | null;
}

/** The reference learner: gradient boosting when calibrated (the usual winner), else the costliest calibrated one. */
function referenceOf(cost: FitCost, rows: number, features: number): TrainableLearner | null {
  if (cost.gbdt !== undefined) return 'gbdt';
  let best: TrainableLearner | null = null;
  let worst = -1;
  for (const l of Object.keys(cost) as TrainableLearner[]) {
    const s = estimateFitSeconds(cost, l, {}, rows, features) ?? 0;
    if (l !== 'baseline' && s > worst) [best, worst] = [l, s];
  }
  return best;
}

/** Largest n in [lo, hi] with ok(n), for ok monotone (true then false); lo when none. */
function largest(lo: number, hi: number, ok: (n: number) => boolean): number {
  if (ok(hi)) return hi;
  let a = lo;
  let b = hi;
  while (b - a > Math.max(1, a * 0.01)) {
    const m = Math.floor((a + b) / 2);
    if (ok(m)) a = m;
    else b = m;
  }
  return a;
}

/**
 * Plans the search and the refit within the budget.
 *
 * @example
 * planBudget({ budgetSeconds: 40, trainRows: 2_400_000, features: 7, workers: 2, cost, refitBag: 3 });
 * // { searchRows: 180_000, refitRows: 560_000, refitBag: 1, ... }
 */
export function planBudget(input: BudgetInput): BudgetPlan {
  const { budgetSeconds, trainRows, features, cost } = input;
  const workers = Math.max(1, input.workers);
  const reference = referenceOf(cost, trainRows, features);
  const floorRows = Math.min(trainRows, MIN_SAMPLE_ROWS);
  if (!reference) {
    return {
      searchRows: trainRows,
      searchSeconds: budgetSeconds * (1 - REFIT_SHARE),
      refitRows: trainRows,
      refitBag: input.refitBag,
      refitSeconds: NaN,
      reference,
    };
  }
  const fit = (rows: number): number => estimateFitSeconds(cost, reference, {}, rows, features)!;
  const refitBudget = REFIT_SHARE * budgetSeconds;
  const rounds = (bag: number): number => Math.ceil(bag / workers);
  let refitBag = reference === 'gbdt' ? input.refitBag : 1;
  if (fit(trainRows) * rounds(refitBag) > refitBudget) refitBag = 1;
  const refitRows = largest(floorRows, trainRows, (n) => fit(n) * rounds(refitBag) <= refitBudget);
  const refitSeconds = fit(refitRows) * rounds(refitBag);
  const searchSeconds = Math.max(0, budgetSeconds - refitSeconds - SEARCH_MARGIN * budgetSeconds);
  // A search fit trains on four fifths of its rows (the rest validate it).
  const searchRows = Math.min(
    refitRows,
    largest(floorRows, trainRows, (n) => (MIN_SEARCH_FITS * fit(0.8 * n)) / workers <= searchSeconds),
  );
  return { searchRows, searchSeconds, refitRows, refitBag, refitSeconds, reference };
}
