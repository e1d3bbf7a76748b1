import type { Pipeline, State } from './pipelineSchema.js';

/**
 * For every state, the states whose result is certain to be recorded when it is entered: those
 * on every path from the start to it (through every branch of a parallel state it follows).
 * A reference `$.results.<s>` from state `t` is sound exactly when `s` is in `preceding.get(t)`.
 *
 * A must-analysis to a fixpoint: each state's set is the intersection, over the states leading
 * to it, of their own set plus themselves (when they record a result: not a choice, succeed or
 * fail). A parallel state's branches start from its own set; the state after it adds, for each
 * branch, what every end of that branch has. Sibling branches never see each other's results.
 */
export function precedingStates(pipeline: Pipeline): Map<string, ReadonlySet<string>> {
  const out = new Map<string, Set<string>>();
  analyseScope(pipeline.start, pipeline.states, new Set(), out);
  return out;
}

const hasResult = (s: State) => s.type !== 'choice' && s.type !== 'succeed' && s.type !== 'fail';

function nextsOf(s: State): string[] {
  if (s.type === 'choice') return [...s.choices.map((c) => c.next), ...(s.default ? [s.default] : [])];
  if (s.type === 'succeed' || s.type === 'fail') return [];
  return s.next ? [s.next] : [];
}

/** Analyses one scope (the pipeline, or a branch); returns what is certain once the scope has ended. */
function analyseScope(start: string, states: Record<string, State>, entry: ReadonlySet<string>, out: Map<string, Set<string>>): Set<string> {
  const done = new Map<string, Set<string>>();
  const after = new Map<string, Set<string>>();
  if (!states[start]) return new Set(entry);
  done.set(start, new Set(entry));
  for (let changed = true, guard = 0; changed && guard < 1000; guard++) {
    changed = false;
    for (const [name, state] of Object.entries(states)) {
      const mine = done.get(name);
      if (!mine) continue;
      const leaving = new Set(mine);
      if (state.type === 'parallel') {
        for (const b of state.branches) for (const s of analyseScope(b.start, b.states, mine, out)) leaving.add(s);
      }
      if (hasResult(state)) leaving.add(name);
      after.set(name, leaving);
      for (const next of nextsOf(state)) {
        if (!states[next]) continue;
        const cur = done.get(next);
        const merged = cur ? new Set([...cur].filter((x) => leaving.has(x))) : new Set(leaving);
        if (!cur || merged.size !== cur.size) {
          done.set(next, merged);
          changed = true;
        }
      }
    }
  }
  for (const [name, set] of done) out.set(name, set);
  // The scope ends at a state that says `end: true` (or has no next) or a succeed state.
  const ends = Object.entries(states).filter(([n, s]) => done.has(n) && (s.type === 'succeed' || (s.type !== 'choice' && s.type !== 'fail' && !s.next)));
  if (ends.length === 0) return new Set(entry);
  const sets = ends.map(([n, s]) => (s.type === 'succeed' ? done.get(n)! : after.get(n)!));
  return new Set([...sets[0]!].filter((x) => sets.every((s) => s.has(x))));
}
