import type { FittedFlow } from './fittedFlow.js';
import { notServed } from './planSql.js';
import { stepDef } from './steps/index.js';

/** A step of a fitted flow that cannot run on one record at prediction time, and why. */
export interface ServingProblem {
  /** 1-based, as messages number steps. */
  step: number;
  kind: string;
  name?: string;
  problem: string;
}

/**
 * Every step of a fitted flow that the record path (the endpoint, `sluice predict` on records)
 * would refuse, from each step kind's `servingProblem`. Row steps (filters, sorts, samples) never
 * run on records and are not problems. A step declared `serve: skip` is left out of the serving
 * flow: it is a problem when a later step, or the model (`needed`: its features), reads a column
 * it adds, since that column does not exist at prediction time. `sluice train` calls this before
 * the search, so a flow that cannot serve is reported when the model is trained, not at its
 * first request.
 */
export function servingProblems(fitted: FittedFlow, needed?: Iterable<string>): ServingProblem[] {
  const out: ServingProblem[] = [];
  const features = new Set(needed ?? []);
  /** Columns added by skipped steps, and which step added them. */
  const absent = new Map<string, number>();
  fitted.steps.forEach((s, i) => {
    const def = stepDef(s.kind);
    if (!def) return;
    const name = (s.spec as { name?: unknown }).name;
    const at = { step: i + 1, kind: s.kind, ...(typeof name === 'string' ? { name } : {}) };
    if (notServed(def, s.spec)) {
      if (def.skipAtServing?.(s.spec)) {
        const before = new Set(s.input.map((c) => c.name));
        for (const c of s.output) if (!before.has(c.name)) absent.set(c.name, i);
      }
      return;
    }
    const reads = def.inputs(s.spec, { columns: s.input, target: fitted.target, mode: 'serve', index: i }).filter((c) => absent.has(c));
    for (const c of reads) out.push({ ...at, problem: skippedColumn(fitted, absent.get(c)!, c, 'this step reads it') });
    const problem = def.servingProblem?.(s.spec as never, s.fitted as never);
    if (problem) out.push({ ...at, problem });
    // A column a served step creates exists at prediction time.
    for (const c of s.output) if (!s.input.some((x) => x.name === c.name)) absent.delete(c.name);
  });
  for (const [c, i] of absent) {
    if (!features.has(c)) continue;
    const s = fitted.steps[i]!;
    const name = (s.spec as { name?: unknown }).name;
    out.push({ step: i + 1, kind: s.kind, ...(typeof name === 'string' ? { name } : {}), problem: skippedColumn(fitted, i, c, 'the model reads it') });
  }
  return out;
}

function skippedColumn(fitted: FittedFlow, index: number, column: string, who: string): string {
  const s = fitted.steps[index]!;
  return `column "${column}" comes from step ${index + 1} (${s.kind}), declared \`serve: skip\`, so it does not exist at prediction time, but ${who}; remove \`serve: skip\` from that step (the model then serves batches only) or make the column with built-in steps`;
}

/** One line per problem: `step 3 (lag_features "lags"): ...`. */
export function describeServingProblems(problems: ServingProblem[]): string[] {
  return problems.map((p) => `step ${p.step} (${p.kind}${p.name ? ` "${p.name}"` : ''}): ${p.problem}`);
}
