import { SluiceError } from '../../core/errors.js';
import type { Target } from '../frame.js';
import { Rng } from '../random.js';
import { rowsByGroup, strataOf } from './strata.js';

export interface Holdout {
  /** Training rows, ascending. */
  train: Uint32Array;
  /** Held-out rows, ascending. */
  test: Uint32Array;
}

/**
 * Splits rows into a training part and a held-out part with the same class proportions
 * (target deciles for regression). Each stratum sends `round(n * testFraction)` of its rows,
 * chosen at random, to the test part, but always keeps at least one row on each side when it
 * has two or more, so no class disappears from either part. Rows whose class code is -1
 * (missing target) are left out of both.
 *
 * @example
 * const { train, test } = stratifiedHoldout(target, { testFraction: 0.2, seed: 0 });
 */
export function stratifiedHoldout(target: Target, options: { testFraction?: number; seed?: number } = {}): Holdout {
  const frac = options.testFraction ?? 0.2;
  if (!(frac > 0 && frac < 1)) {
    throw new SluiceError('ML_BAD_HOLDOUT', `the holdout fraction must be between 0 and 1 (exclusive), got ${frac}`, {
      hint: 'use a value such as 0.2',
    });
  }
  const rng = new Rng(options.seed ?? 0);
  const { groups, nGroups } = strataOf(target);
  const strata = rowsByGroup(groups, nGroups);
  const sizes = strata.map((rows) => {
    const n = rows.length;
    let nTest = Math.round(n * frac);
    if (n >= 2) nTest = Math.min(n - 1, Math.max(1, nTest));
    return nTest;
  });
  const nTestAll = sizes.reduce((a, b) => a + b, 0);
  const train = new Uint32Array(strata.reduce((a, r) => a + r.length, 0) - nTestAll);
  const test = new Uint32Array(nTestAll);
  let tr = 0;
  let te = 0;
  strata.forEach((rows, g) => {
    if (rows.length === 0) return;
    rng.shuffle(rows);
    test.set(rows.subarray(0, sizes[g]!), te);
    train.set(rows.subarray(sizes[g]!), tr);
    te += sizes[g]!;
    tr += rows.length - sizes[g]!;
  });
  return { train: train.sort(), test: test.sort() };
}
