import { takeTarget, type Target } from '../frame.js';
import { stratifiedHoldout } from '../splits/stratifiedHoldout.js';

/** A stratified sample of `count` of `rows` (input row indices), ascending. */
export function sampleRows(rows: Uint32Array, target: Target, count: number, seed: number): Uint32Array {
  const h = stratifiedHoldout(takeTarget(target, rows), { testFraction: count / rows.length, seed });
  return Uint32Array.from(h.test, (i) => rows[i]!);
}
