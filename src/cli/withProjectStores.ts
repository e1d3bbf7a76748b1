import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ProjectStores } from '../storage/projectStores.js';

/**
 * Runs `fn` with the folder stores of the project in `projectDir` (its sluice.yaml `stores.*`;
 * the local folders when it has no sluice.yaml), closing them after.
 */
export async function withProjectStores<T>(projectDir: string, fn: (stores: ProjectStores) => Promise<T>): Promise<T> {
  const [{ CONFIG_FILE, loadProject }, { projectStores }, { projectLayout }] = await Promise.all([
    import('../pipeline/project/loadProject.js'),
    import('../storage/projectStores.js'),
    import('../core/projectLayout.js'),
  ]);
  const dir = resolve(projectDir);
  const project = existsSync(join(dir, CONFIG_FILE)) ? loadProject(dir) : undefined;
  const stores = project ? projectStores(project.paths, project.config.stores) : projectStores(projectLayout(dir));
  try {
    return await fn(stores);
  } finally {
    await stores.close();
  }
}
