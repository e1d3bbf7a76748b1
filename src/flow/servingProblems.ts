import type { FittedFlow } from './fittedFlow.js';
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
 * run on records and are not problems. `sluice train` calls this before the search, so a flow
 * that cannot serve is reported when the model is trained, not at its first request.
 */
export function servingProblems(fitted: FittedFlow): ServingProblem[] {
  const out: ServingProblem[] = [];
  fitted.steps.forEach((s, i) => {
    const def = stepDef(s.kind);
    if (!def || def.rowsOnly || !def.servingProblem) return;
    const problem = def.servingProblem(s.spec as never, s.fitted as never);
    const name = (s.spec as { name?: unknown }).name;
    if (problem) out.push({ step: i + 1, kind: s.kind, ...(typeof name === 'string' ? { name } : {}), problem });
  });
  return out;
}

/** One line per problem: `step 3 (lag_features "lags"): ...`. */
export function describeServingProblems(problems: ServingProblem[]): string[] {
  return problems.map((p) => `step ${p.step} (${p.kind}${p.name ? ` "${p.name}"` : ''}): ${p.problem}`);
}
