import type { FolderStore } from '../storage/FolderStore.js';
import type { ModelRegistry, VersionRef } from './ModelRegistry.js';
import { CHAMPION } from './types.js';
import { versionArtifact } from './versionArtifact.js';

type Registry = Pick<ModelRegistry, 'get' | 'champion' | 'previousChampions'>;

/**
 * Brings onto this machine, from `stores.artifacts` and checked (versionArtifact), the version
 * folders that moving an alias reads: the version promoted, and for `champion` the current
 * champion too (the input contract compares their signatures). On a machine that did not
 * register them (another worker, a replica, an operator's laptop) the promotion is then decided
 * on the real files, and a damaged or altered artifact refuses the promotion (OBJECT_TAMPERED)
 * instead of becoming champion. With a local store it does nothing.
 *
 * @example
 * await fetchForPromotion(registry, stores.artifacts, 'readmission', 3, 'champion');
 * await registry.promote('readmission', 3, 'champion', 'ana');
 */
export async function fetchForPromotion(registry: Registry, artifacts: FolderStore, name: string, ref: VersionRef, alias: string): Promise<void> {
  if (!artifacts.remote) return;
  await versionArtifact(artifacts, await registry.get(name, ref));
  const champion = alias === CHAMPION ? await registry.champion(name) : undefined;
  if (champion) await versionArtifact(artifacts, champion);
}

/** The same for a rollback: the current champion and the one it goes back to. */
export async function fetchForRollback(registry: Registry, artifacts: FolderStore, name: string): Promise<void> {
  if (!artifacts.remote) return;
  const champion = await registry.champion(name);
  if (champion) await versionArtifact(artifacts, champion);
  const previous = (await registry.previousChampions(name))[0];
  if (previous !== undefined) await versionArtifact(artifacts, await registry.get(name, previous));
}
