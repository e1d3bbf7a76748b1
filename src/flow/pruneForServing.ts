import type { FittedFlow } from './fittedFlow.js';
import { stepDef } from './steps/index.js';

/** Step kinds that only add a column (an id, a timestamp) and change nothing else. */
const ADD_ONLY = new Set(['record_id', 'event_time']);

/**
 * The fitted flow as a prediction needs it: its output cut to the `needed` columns (the model's
 * features, and the record id when predictions carry it), without the add-only steps (record
 * id, event time) whose column neither the model nor any later step reads, and without the steps
 * declared `serve: skip`. Predictions are
 * unchanged (the tests compare them with the full flow's SQL); each record skips a hash and a
 * clock read, and {@link requiredInputs} of the result lists only the raw columns the model
 * really depends on: skipped and dropped columns are not required.
 */
export function pruneForServing(fitted: FittedFlow, needed: Iterable<string>): FittedFlow {
  needed = [...needed];
  const want = new Set(needed);
  const keep: boolean[] = new Array(fitted.steps.length).fill(true);
  const removed = new Set<string>();
  for (let i = fitted.steps.length - 1; i >= 0; i--) {
    const s = fitted.steps[i]!;
    const def = stepDef(s.kind);
    const before = new Set(s.input.map((c) => c.name));
    const added = s.output.map((c) => c.name).filter((c) => !before.has(c));
    // A step declared `serve: skip` (python) is left out; servingProblems refuses the model at
    // training when anything it keeps reads a column such a step adds.
    if (def?.skipAtServing?.(s.spec) || (ADD_ONLY.has(s.kind) && added.length > 0 && added.every((c) => !want.has(c)))) {
      keep[i] = false;
      added.forEach((c) => removed.add(c));
      continue;
    }
    // A kept step's reads are needed from the steps before it (unknown kinds: keep everything).
    if (!def) return fitted;
    for (const c of def.inputs(s.spec, { columns: s.input, target: fitted.target, mode: 'serve', index: i })) want.add(c);
  }
  const wanted = new Set(needed);
  const output = fitted.output.filter((c) => !removed.has(c.name) && (wanted.has(c.name) || c.name === fitted.target));
  return { ...fitted, steps: fitted.steps.filter((_, i) => keep[i]), output };
}
