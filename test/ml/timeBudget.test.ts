/**
 * The time budget without a wall clock: the cost estimator with a fake clock, the budget plan
 * with fixed costs, the collapse check, and AutoML driven by fixed costs on one thread.
 */
import { describe, expect, it } from 'vitest';
import { MIN_SEARCH_FITS, planBudget, REFIT_SHARE, SEARCH_MARGIN } from '../../src/ml/automl/budgetPlan.js';
import { collapsedOutput } from '../../src/ml/automl/collapsedOutput.js';
import { calibrateFitCost, CALIBRATION_ROWS, estimateFitSeconds, fitUnits } from '../../src/ml/automl/fitCost.js';
import { runAutoML } from '../../src/ml/automl/runAutoML.js';
import { automlSeconds, defaultTimeLimit, estimateReadSeconds } from '../../src/training/timeBudget.js';
import { xorData } from './synthetic.js';

describe('fit cost estimate', () => {
  it('counts work in rows x features x rounds, per learner', () => {
    expect(fitUnits('gbdt', { maxIter: 100, subsample: 1 }, 1000, 8)).toBe(1000 * 8 * 100);
    // Twice the rows, twice the work; half the rows per round, half the work.
    expect(fitUnits('gbdt', {}, 2000, 8)).toBe(2 * fitUnits('gbdt', {}, 1000, 8));
    expect(fitUnits('gbdt', { subsample: 0.25 }, 1000, 8)).toBe(fitUnits('gbdt', { subsample: 0.5 }, 1000, 8) / 2);
    // The default round count drops to 100 past 200,000 rows (the learner's own default).
    expect(fitUnits('gbdt', {}, 300_000, 8) / 300_000).toBe(fitUnits('gbdt', {}, 100_000, 8) / 100_000 / 2);
    expect(fitUnits('forest', { nTrees: 10 }, 1000, 4)).toBeGreaterThan(fitUnits('forest', { nTrees: 5 }, 1000, 4));
    expect(fitUnits('logistic', {}, 1000, 8)).toBe(1000 * 8 * 100);
    expect(fitUnits('baseline', {}, 1000, 8)).toBe(1000);
  });

  it('calibrates seconds per unit from timed small fits (fake clock: each fit takes 50 ms)', () => {
    const { frame, target } = xorData(CALIBRATION_ROWS + 3000, 3);
    let now = 0;
    let calls = 0;
    const clock = (): number => {
      calls++;
      // Start and end of each fit: the end is 50 ms after the start.
      if (calls % 2 === 0) now += 50;
      return now;
    };
    const cost = calibrateFitCost(frame, target, ['gbdt', 'logistic'], { clock });
    expect(Object.keys(cost).sort()).toEqual(['baseline', 'gbdt', 'logistic']);
    // 0.05 s over the calibration fit's units, on CALIBRATION_ROWS sampled rows and 4 features.
    expect(cost.gbdt).toBeCloseTo(0.05 / fitUnits('gbdt', { maxIter: 10, earlyStopping: false }, CALIBRATION_ROWS, 4), 15);
    expect(cost.logistic).toBeCloseTo(0.05 / fitUnits('logistic', { maxIter: 30 }, CALIBRATION_ROWS, 4), 15);
    // Scaled up: a default gbdt on 100,000 rows is 20 rounds-x-rows times the calibration fit.
    expect(estimateFitSeconds(cost, 'gbdt', { maxIter: 200 }, 100_000, 4)).toBeCloseTo(0.05 * (100_000 / CALIBRATION_ROWS) * (200 / 10), 9);
    expect(estimateFitSeconds(cost, 'forest', {}, 1000, 4)).toBeUndefined();
  });
});

describe('budget plan (fixed costs, no clock)', () => {
  const cost = { baseline: 1e-8, gbdt: 2e-7, logistic: 1e-7 };

  it('small data: every row searched and refit, the bag kept', () => {
    const p = planBudget({ budgetSeconds: 4, trainRows: 240, features: 7, workers: 2, cost, refitBag: 3 });
    expect(p).toMatchObject({ searchRows: 240, refitRows: 240, refitBag: 3, reference: 'gbdt' });
    // Three boosted models on two workers: two rounds of one fit each.
    expect(p.refitSeconds).toBeCloseTo(2 * estimateFitSeconds(cost, 'gbdt', {}, 240, 7)!, 12);
    expect(p.searchSeconds).toBeCloseTo(4 * (1 - SEARCH_MARGIN) - p.refitSeconds, 9);
  });

  it('3M rows in 20 s: the refit fits its share (one model, a sample) and the search samples rows for enough fits', () => {
    const input = { budgetSeconds: 20, trainRows: 2_400_000, features: 7, workers: 2, cost, refitBag: 3 };
    const p = planBudget(input);
    const fit = (rows: number): number => estimateFitSeconds(cost, 'gbdt', {}, rows, 7)!;
    expect(fit(2_400_000)).toBeGreaterThan(REFIT_SHARE * 20); // all rows would not fit
    expect(p.refitBag).toBe(1);
    expect(p.refitRows).toBeLessThan(2_400_000);
    expect(p.refitSeconds).toBeLessThanOrEqual(REFIT_SHARE * 20 + 1e-9);
    expect(p.refitSeconds).toBeGreaterThan(0.95 * REFIT_SHARE * 20); // and uses most of its share
    expect(p.searchRows).toBeLessThan(p.refitRows);
    expect((MIN_SEARCH_FITS * fit(0.8 * p.searchRows)) / 2).toBeLessThanOrEqual(p.searchSeconds + 1e-9);
    // The whole plan stays inside the budget.
    expect(p.searchSeconds + p.refitSeconds).toBeLessThanOrEqual(20);
    // More workers, more search rows; a bigger budget, more of both.
    expect(planBudget({ ...input, workers: 4 }).searchRows).toBeGreaterThan(p.searchRows);
    const big = planBudget({ ...input, budgetSeconds: 200 });
    expect(big.refitRows).toBeGreaterThan(p.refitRows);
    expect(big.searchRows).toBeGreaterThan(p.searchRows);
  });

  it('without a calibrated learner it plans all rows and says the refit estimate is unknown', () => {
    const p = planBudget({ budgetSeconds: 10, trainRows: 5000, features: 3, workers: 1, cost: {}, refitBag: 3 });
    expect(p.searchRows).toBe(5000);
    expect(p.refitSeconds).toBeNaN();
  });
});

describe('default time limit and what AutoML gets of it', () => {
  it('scales with the data: 5 s for a few hundred rows, 60 s from 120,000 cells', () => {
    expect(defaultTimeLimit(300, 8)).toBe(5);
    expect(defaultTimeLimit(275, 47)).toBe(7);
    expect(defaultTimeLimit(5_000, 10)).toBe(25);
    expect(defaultTimeLimit(15_000, 8)).toBe(60);
    expect(defaultTimeLimit(3_000_000, 8)).toBe(60);
  });
  it('takes out what reading spent and what writing will take, never below a tenth', () => {
    expect(automlSeconds(60, 10, 600_000)).toBeCloseTo(60 - 10 - (0.5 + 1.8 + 1.2), 9);
    expect(automlSeconds(60, 70, 0)).toBe(6);
  });
  it('estimates the read before it starts: 20 MB/s, slower by the load beyond the cores', () => {
    expect(estimateReadSeconds(137e6, 0, 2)).toBeCloseTo(6.85, 9);
    expect(estimateReadSeconds(137e6, 2, 2)).toBeCloseTo(6.85, 9);
    expect(estimateReadSeconds(137e6, 8, 2)).toBeCloseTo(4 * 6.85, 9);
  });
});

describe('collapsed candidates', () => {
  it('an output equal on every row is collapsed; one that varies is not', () => {
    expect(collapsedOutput(Float64Array.from([0.3, 0.7, 0.3, 0.7, 0.3, 0.7]), 2)).toBe(true);
    expect(collapsedOutput(Float64Array.from([0.3, 0.7, 0.31, 0.69]), 2)).toBe(false);
    expect(collapsedOutput(Float64Array.from([5]), 1)).toBe(false);
  });

  it('a candidate whose minimum leaf is larger than its fold is pruned at once, after one fold', async () => {
    const { frame, target } = xorData(120, 5);
    const r = await runAutoML(frame, target, {
      timeLimit: 600,
      workers: 0,
      learners: ['gbdt'],
      ensemble: false,
      maxCandidates: 4,
      folds: 3,
      fitCost: { baseline: 1e-9, gbdt: 1e-9 },
    });
    // The fourth default (minSamplesLeaf 50) cannot split 77 training rows: it learned nothing.
    const collapsed = r.leaderboard.entries.find((e) => e.params.minSamplesLeaf === 50)!;
    expect(collapsed.status).toBe('pruned');
    expect(collapsed.reason).toMatch(/^collapsed: its first fold predicts the same class probabilities for every row/);
    expect(collapsed.cv!.folds).toHaveLength(1);
    // The baseline predicts the same for every row by design and is never pruned for it.
    expect(r.leaderboard.entries.find((e) => e.learner === 'baseline')!.status).toBe('ok');
    expect(r.leaderboard.budget).toMatchObject({ searchRows: r.leaderboard.trainRows, refitRows: r.leaderboard.trainRows });
  });
});
