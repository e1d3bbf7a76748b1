import { ModelRegistry } from '../../models/ModelRegistry.js';
import { openStateDb } from '../../state/openStateDb.js';
import type { OpenProjectDbOptions } from '../../state/openProjectDb.js';
import { stateSettings } from '../../state/stateSettings.js';
import type { Project } from './loadProject.js';

/**
 * The project's model registry where sluice.yaml `stores.state` (or SLUICE_DATABASE_URL) keeps
 * it: the project's SQLite file (as `ModelRegistry.open` always did), or the PostgreSQL database,
 * opened for the registry and closed with it. For processes without a runtime (the endpoint
 * replicas, `sluice models`).
 *
 * @example
 * const registry = await openProjectRegistry(loadProject());
 */
export async function openProjectRegistry(project: Project, options: OpenProjectDbOptions = {}): Promise<ModelRegistry> {
  const settings = stateSettings(project.config.stores.state, project.paths.db, project.file);
  if (settings.type === 'sqlite') return ModelRegistry.open(project.root, project.paths.stateDir, options);
  const state = await openStateDb(settings);
  return ModelRegistry.open(project.root, project.paths.stateDir, { state, ownsState: true });
}
