import type { FlowSpec } from './flowSchema.js';

/**
 * Branches: a flow that forks and rejoins, as a Data Wrangler DAG does. A step names the table
 * after it (`as: NAME`); a later `join`/`concatenate` reads that table (`with: NAME`), or an input
 * declared `branch: NAME` reads it through the input's own steps. `main` is the data as it arrived.
 * A batch recomputes every branch from itself; a branch is never a reference table.
 */

/** The name a step gives the table after it (`as:`), if any. */
export function branchName(step: object): string | undefined {
  const as = (step as { as?: unknown }).as;
  return typeof as === 'string' ? as : undefined;
}

/** The inputs of the flow that are branches taken at `point` (an `as:` name, or `main`). */
export function inputsBranchedAt(flow: Pick<FlowSpec, 'inputs'>, point: string): string[] {
  return Object.entries(flow.inputs ?? {})
    .filter(([, source]) => source.branch === point)
    .map(([name]) => name);
}
