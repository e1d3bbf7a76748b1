import type { SluiceConfig } from '../../core/config.js';
import { resolveIn } from '../../core/projectLayout.js';
import type { FlowSpec } from '../../flow/flowSchema.js';
import { loadFlow } from '../../flow/loadFlow.js';

/** The flow a step uses (its `input.flow`, else sluice.yaml `flow`), resolved against the project root. */
export async function projectFlow(
  config: SluiceConfig | undefined,
  input: { flow?: string | undefined },
  root: string,
): Promise<{ path?: string; spec?: FlowSpec }> {
  const flow = input.flow ?? config?.flow;
  if (!flow) return {};
  const path = resolveIn(root, flow);
  return { path, spec: await loadFlow(path) };
}
