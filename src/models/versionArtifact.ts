import { verifyArtifact } from '../artifact/loadArtifact.js';
import type { FolderStore } from '../storage/FolderStore.js';
import { hashDir } from './artifactFiles.js';
import type { ModelVersion } from './types.js';
import { VERSION_MANIFEST } from './versionManifest.js';

/** The object-store folder of a version: `<name>/<version>`, as under `.sluice/models`. */
function parts(v: Pick<ModelVersion, 'name' | 'version'>): string[] {
  return [v.name, String(v.version)];
}

/**
 * Puts a registered version's files into the artifact store (`stores.artifacts`), so another
 * worker or replica can load it. The registry's own manifest stays local (it changes with the
 * status; the database is the source of truth). Safe to repeat: a retried registration
 * publishes again, object by object, the same bytes. A local store does nothing.
 */
export async function publishVersion(artifacts: FolderStore, v: Pick<ModelVersion, 'name' | 'version'>): Promise<void> {
  await artifacts.publish(parts(v), { skip: (path) => path.startsWith(VERSION_MANIFEST) });
}

/**
 * The local folder of a version's artifact, downloaded from the artifact store when this
 * machine has no copy. A download is used only when its files hash to what the registry recorded
 * at registration (`artifactHash`) and the artifact's own manifest hashes match
 * (`verifyArtifact`): a partial or altered artifact is refused (OBJECT_TAMPERED or ARTIFACT_*),
 * never served.
 *
 * @example
 * const dir = await versionArtifact(stores.artifacts, (await registry.champion('readmission'))!);
 */
export async function versionArtifact(artifacts: FolderStore, v: Pick<ModelVersion, 'name' | 'version' | 'artifactHash' | 'artifactPath'>): Promise<string> {
  if (!artifacts.remote) return v.artifactPath;
  return artifacts.fetch(parts(v), async (dir) => {
    const hash = await hashDir(dir);
    if (hash !== v.artifactHash) {
      throw artifacts.tampered(
        `${v.name}/${v.version}/`,
        `its files hash to ${hash}, but the registry recorded ${v.artifactHash} for ${v.name} version ${v.version}`,
      );
    }
    await verifyArtifact(dir);
  });
}
