import { wirePipeline } from '../definition/wirePipeline.js';
import type { Pipeline } from '../definition/pipelineSchema.js';
import { indexStates } from '../definition/validatePipeline.js';
import { resolveInput, type PathScope } from '../resolvePath.js';

/**
 * What an approval shows its approvers: its state's wired `findings` input (`$.results.<report
 * state>`, derived at load when the pipeline leaves it out), read from the execution's results.
 * `step` names the approval step (`approval`, `build/approval#2`); without it (or when it is not
 * an approval), the pipeline's first approval state. Undefined when the pipeline has no approval
 * or its report has not run yet. The same value the orchestrator sends in the notices.
 *
 * @example
 * const findings = findingsOf(approvalFindings(rec.definition, { input: rec.input, results }, pending.step));
 */
export function approvalFindings(pipeline: Pipeline, scope: PathScope, step?: string): unknown {
  const approvals = [...indexStates(wirePipeline(pipeline).pipeline).values()].filter((s) => s.state.type === 'approval');
  const name = step?.split('/').at(-1)?.replace(/#\d+$/, '');
  const chosen = approvals.find((s) => s.name === name) ?? approvals[0];
  if (chosen?.state.type !== 'approval') return undefined;
  return (resolveInput(chosen.state.input ?? {}, scope) as { findings?: unknown }).findings;
}
