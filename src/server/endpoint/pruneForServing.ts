import type { FittedFlow } from '../../flow/fittedFlow.js';
import { stepDef } from '../../flow/steps/index.js';

/** Step kinds that only add a column (an id, a timestamp) and change nothing else. */
const ADD_ONLY = new Set(['record_id', 'event_time']);

/**
 * The fitted flow without the steps a prediction does not need: add-only steps (record id,
 * event time) whose column neither the model nor any later step reads. Predictions are
 * unchanged (the tests compare them with the full flow's SQL); each record skips a hash and a
 * clock read, and clients need not send raw columns that only fed the record id's hash.
 */
export function pruneForServing(fitted: FittedFlow, needed: Iterable<string>): FittedFlow {
  const want = new Set(needed);
  const keep: boolean[] = new Array(fitted.steps.length).fill(true);
  const removed = new Set<string>();
  for (let i = fitted.steps.length - 1; i >= 0; i--) {
    const s = fitted.steps[i]!;
    const def = stepDef(s.kind);
    const before = new Set(s.input.map((c) => c.name));
    const added = s.output.map((c) => c.name).filter((c) => !before.has(c));
    if (ADD_ONLY.has(s.kind) && added.length > 0 && added.every((c) => !want.has(c))) {
      keep[i] = false;
      added.forEach((c) => removed.add(c));
      continue;
    }
    // A kept step's reads are needed from the steps before it (unknown kinds: keep everything).
    if (!def) return fitted;
    for (const c of def.inputs(s.spec, { columns: s.input, target: fitted.target, mode: 'serve', index: i })) want.add(c);
  }
  if (removed.size === 0) return fitted;
  return { ...fitted, steps: fitted.steps.filter((_, i) => keep[i]), output: fitted.output.filter((c) => !removed.has(c.name)) };
}
