import type { SluiceConfig } from '../../core/config.js';
import { type ProjectStores, projectStores } from '../../storage/projectStores.js';
import type { ActivityContext } from './Activity.js';

/**
 * Runs `fn` with the project's folder stores: the runtime's (`ctx.stores`), or ones opened from
 * the configuration for this call and closed after it (an activity run on its own, in a test).
 */
export async function withStores<T>(ctx: Pick<ActivityContext, 'stores' | 'project' | 'config'>, fn: (stores: ProjectStores) => Promise<T>): Promise<T> {
  if (ctx.stores) return fn(ctx.stores);
  const stores = projectStores(ctx.project, (ctx.config as Partial<SluiceConfig> | undefined)?.stores);
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}
