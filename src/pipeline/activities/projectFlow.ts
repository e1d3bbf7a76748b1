import type { SluiceConfig } from '../../core/config.js';
import { resolveIn } from '../../core/projectLayout.js';
import type { FlowSpec } from '../../flow/flowSchema.js';
import { loadFlow } from '../../flow/loadFlow.js';

/** The flow a step uses (its `input.flow`, else sluice.yaml `flow`), resolved against the project root. */
export async function projectFlow(config: SluiceConfig | undefined, input: Record<string, unknown>, root: string): Promise<{ path?: string; spec?: FlowSpec }> {
  const flow = (input.flow as string | undefined) ?? config?.flow;
  if (!flow) return {};
  const path = resolveIn(root, flow);
  return { path, spec: await loadFlow(path) };
}

/**
 * The target column, resolved once and the same way for every step (report, train): the step's
 * `input.target`, else sluice.yaml `target`, else the flow's `target`.
 */
export function resolveTarget(config: SluiceConfig | undefined, input: Record<string, unknown>, flow?: Pick<FlowSpec, 'target'>): string | undefined {
  return (input.target as string | undefined) ?? config?.target ?? flow?.target;
}
