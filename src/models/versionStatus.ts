import { SluiceError } from '../core/errors.js';
import type { VersionRef } from './RegistryReader.js';
import type { RegistryWriter } from './RegistryWriter.js';
import { CHAMPION, checkStatus, type ModelStatus, type ModelVersion } from './types.js';

/**
 * Sets the approval status (SageMaker's ModelApprovalStatus). The serving champion cannot be
 * rejected: roll back or promote another version first, so the endpoint never serves a model
 * marked rejected.
 */
export async function setStatus(w: RegistryWriter, name: string, ref: VersionRef, status: ModelStatus, by: string, comment?: string): Promise<ModelVersion> {
  checkStatus(status);
  const version = await w.read.resolve(name, ref);
  await w.tx(async (w) => {
    const cur = await w.read.get(name, version);
    if (cur.status === status) return;
    if (status === 'rejected' && cur.aliases.includes(CHAMPION)) {
      throw new SluiceError('MODEL_CHAMPION_REJECT', `${name} version ${version} is the champion and cannot be rejected while it serves`, {
        hint: `run "sluice models rollback ${name}" or promote another version to champion first`,
        httpStatus: 409,
      });
    }
    const now = new Date().toISOString();
    await w.db.run('UPDATE model_versions SET status = ?, status_by = ?, status_at = ?, status_comment = ? WHERE name = ? AND version = ?', [
      status,
      by,
      now,
      comment ?? null,
      name,
      version,
    ]);
    await w.record({ name, version, kind: 'status', alias: null, from: cur.status, to: status, by, at: now, comment: comment ?? null });
  });
  return w.read.get(name, version);
}

/** Merges tags into a version's tags (a value of `null` removes the tag). */
export async function setTags(w: RegistryWriter, name: string, ref: VersionRef, tags: Record<string, string | null>, by: string): Promise<ModelVersion> {
  const version = await w.read.resolve(name, ref);
  await w.tx(async (w) => {
    const cur = await w.read.get(name, version);
    const next: Record<string, string> = { ...cur.tags };
    for (const [k, v] of Object.entries(tags)) {
      if (v === null) delete next[k];
      else next[k] = String(v);
    }
    const now = new Date().toISOString();
    await w.db.run('UPDATE model_versions SET tags = ? WHERE name = ? AND version = ?', [JSON.stringify(next), name, version]);
    await w.record({ name, version, kind: 'tags', alias: null, from: JSON.stringify(cur.tags), to: JSON.stringify(next), by, at: now, comment: null });
  });
  return w.read.get(name, version);
}
