import { SluiceError } from '../../core/errors.js';
import type { Target } from '../frame.js';
import { Rng } from '../random.js';
import type { Holdout } from './stratifiedHoldout.js';
import { rowsByGroup, strataOf } from './strata.js';

/**
 * Assigns rows to `k` folds with the same class proportions (target deciles for regression)
 * and returns, for each fold, the rows to train on and the rows to validate on, both ascending.
 * Each stratum is shuffled and dealt round-robin, starting where the previous stratum stopped,
 * so fold sizes differ by at most one row.
 *
 * @example
 * for (const { train, test } of stratifiedKFold(target, { k: 5, seed: 0 })) { ... }
 */
export function stratifiedKFold(target: Target, options: { k?: number; seed?: number } = {}): Holdout[] {
  const k = options.k ?? 5;
  if (!Number.isInteger(k) || k < 2) {
    throw new SluiceError('ML_BAD_FOLDS', `the number of folds must be an integer of at least 2, got ${k}`, {
      hint: 'use 5 folds, or 3 on small data',
    });
  }
  const rng = new Rng(options.seed ?? 0);
  const { groups, nGroups } = strataOf(target);
  const n = groups.length;
  const fold = new Int32Array(n).fill(-1);
  let next = 0;
  for (const rows of rowsByGroup(groups, nGroups)) {
    rng.shuffle(rows);
    for (const r of rows) {
      fold[r] = next;
      next = (next + 1) % k;
    }
  }
  const out: Holdout[] = [];
  for (let f = 0; f < k; f++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) {
      const fi = fold[i]!;
      if (fi < 0) continue;
      (fi === f ? test : train).push(i);
    }
    out.push({ train: Uint32Array.from(train), test: Uint32Array.from(test) });
  }
  return out;
}
