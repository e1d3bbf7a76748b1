import { type Frame, takeRows, takeTarget, type Target } from '../../ml/frame.js';
import { stratifiedHoldout } from '../../ml/splits/stratifiedHoldout.js';

type Split80 = { train: Frame; trainY: Target; test: Frame; testY: Target };
const splits = new WeakMap<Frame, WeakMap<Target, Split80>>();

/**
 * Stratified 80/20 split of a frame (deciles of the target for regression), seeded. Computed
 * once per frame and target in a thread: the quick model and prediction power share it.
 */
export function split80(frame: Frame, target: Target): Split80 {
  let byTarget = splits.get(frame);
  if (!byTarget) splits.set(frame, (byTarget = new WeakMap()));
  let s = byTarget.get(target);
  if (!s) {
    const h = stratifiedHoldout(target, { testFraction: 0.2, seed: 0 });
    s = { train: takeRows(frame, h.train), trainY: takeTarget(target, h.train), test: takeRows(frame, h.test), testY: takeTarget(target, h.test) };
    byTarget.set(target, s);
  }
  return s;
}
