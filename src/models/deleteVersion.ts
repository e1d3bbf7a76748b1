import { existsSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { DELETED_PREFIX, tempDirIn } from './artifactFiles.js';
import type { VersionRef } from './RegistryReader.js';
import type { RegistryWriter } from './RegistryWriter.js';
import { CHAMPION } from './types.js';

/**
 * Deletes a version and its artifact folder. The champion cannot be deleted; other aliases
 * pointing to the version are removed (recorded). The folder is renamed away inside the
 * transaction and removed after it, so a crash leaves at most a `.deleted-*` folder that the
 * explicit `sluice models gc` removes, never a folder without its row or a row without its folder.
 */
export async function deleteVersion(w: RegistryWriter, name: string, ref: VersionRef, by: string, comment?: string): Promise<void> {
  const version = await w.read.resolve(name, ref);
  const modelDir = join(w.modelsDir, name);
  const trash = tempDirIn(modelDir, DELETED_PREFIX);
  await w.tx(async (w) => {
    const cur = await w.read.get(name, version);
    if (cur.aliases.includes(CHAMPION)) {
      throw new SluiceError('MODEL_CHAMPION_DELETE', `${name} version ${version} is the champion and cannot be deleted`, {
        hint: `promote another version or run "sluice models rollback ${name}" first`,
        httpStatus: 409,
      });
    }
    const now = new Date().toISOString();
    for (const alias of cur.aliases) {
      await w.db.run('DELETE FROM model_aliases WHERE name = ? AND alias = ?', [name, alias]);
      await w.record({ name, version, kind: 'alias_removed', alias, from: String(version), to: null, by, at: now, comment: 'version deleted' });
    }
    await w.db.run('DELETE FROM model_versions WHERE name = ? AND version = ?', [name, version]);
    await w.record({ name, version, kind: 'deleted', alias: null, from: cur.status, to: null, by, at: now, comment: comment ?? null });
    if (existsSync(cur.artifactPath)) renameSync(cur.artifactPath, trash);
  });
  await rm(trash, { recursive: true, force: true });
}
