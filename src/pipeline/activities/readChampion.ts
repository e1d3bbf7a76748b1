import { ModelRegistry } from '../../models/ModelRegistry.js';
import type { ModelVersion } from '../../models/types.js';
import type { ActivityContext } from './Activity.js';

/** The model's serving champion, read from the project's registry (opened and closed here); undefined when it has none. */
export async function readChampion(ctx: Pick<ActivityContext, 'project' | 'state'>, model: string): Promise<ModelVersion | undefined> {
  const registry = await ModelRegistry.open(ctx.project.root, ctx.project.stateDir, { state: ctx.state });
  try {
    return await registry.champion(model);
  } finally {
    await registry.close();
  }
}
