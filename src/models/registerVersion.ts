import { existsSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { verifyArtifact } from '../artifact/loadArtifact.js';
import { isSluiceError, SluiceError } from '../core/errors.js';
import { hashDir, stageArtifact } from './artifactFiles.js';
import type { RegistryWriter } from './RegistryWriter.js';
import { highestFolderVersion } from './scanVersionFolders.js';
import { writeManifestOf } from './syncManifests.js';
import { checkName, checkStatus, type ModelVersion, type RegisterMeta } from './types.js';

/**
 * Registers the artifact in `artifactDir` as the next version of `meta.name`. The artifact is
 * verified first ({@link verifyArtifact}: the model and the fitted flow are there, every file its
 * manifest lists has the recorded SHA-256), so a tampered or incomplete artifact is refused with
 * its `ARTIFACT_*` error and nothing is registered. The folder is copied (the source stays where
 * it is). With `meta.idempotencyKey`, a repeated call returns the version the first call registered.
 */
export async function registerVersion(w: RegistryWriter, artifactDir: string, meta: RegisterMeta): Promise<ModelVersion> {
  const name = checkName('model name', meta.name);
  const status = checkStatus(meta.status ?? 'pending');
  if (meta.idempotencyKey !== undefined) {
    const prior = await w.db.one<{ version: number }>('SELECT version FROM model_versions WHERE name = ? AND idempotency_key = ?', [name, meta.idempotencyKey]);
    if (prior) return w.read.get(name, prior.version);
  }
  checkMetrics(meta.metrics ?? {});
  await verifyForRegistration(artifactDir, name);
  const modelDir = join(w.modelsDir, name);
  const staged = await stageArtifact(artifactDir, modelDir);
  let placed: string | undefined;
  let version: number;
  try {
    const artifactHash = await hashDir(staged);
    const by = meta.by ?? 'unknown';
    let reused = false;
    version = await w.tx(async (w) => {
      // A previous attempt of this transaction (PostgreSQL runs it again after a conflict) may
      // have renamed the folder into place before its commit failed: take it back first.
      if (placed !== undefined && existsSync(placed) && !existsSync(staged)) renameSync(placed, staged);
      placed = undefined;
      reused = false;
      if (meta.idempotencyKey !== undefined) {
        // Checked again under the write lock: a concurrent twin may have committed meanwhile.
        const twin = await w.db.one<{ version: number }>('SELECT version FROM model_versions WHERE name = ? AND idempotency_key = ?', [
          name,
          meta.idempotencyKey,
        ]);
        if (twin) {
          reused = true;
          return twin.version;
        }
      }
      const now = new Date().toISOString();
      await w.db.run('INSERT INTO model_names (name, last_version, created_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING', [name, now]);
      const { last_version } = (await w.db.one<{ last_version: number }>('SELECT last_version FROM model_names WHERE name = ?', [name]))!;
      // Past every folder on disk too: a folder without a row (an older database, a lost row)
      // is someone's model, never overwritten; `sluice models recover` registers it again.
      const v = Math.max(last_version, highestFolderVersion(modelDir)) + 1;
      await w.db.run('UPDATE model_names SET last_version = ? WHERE name = ?', [v, name]);
      await w.db.run(
        `INSERT INTO model_versions (name, version, status, status_by, status_at, status_comment, description, created_at, created_by,
             artifact_dir, artifact_hash, metrics, tags, lineage, idempotency_key)
           VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          name,
          v,
          status,
          by,
          now,
          meta.description ?? null,
          now,
          by,
          join(name, String(v)),
          artifactHash,
          JSON.stringify(meta.metrics ?? {}),
          JSON.stringify(meta.tags ?? {}),
          JSON.stringify(meta.lineage ?? {}),
          meta.idempotencyKey ?? null,
        ],
      );
      await w.record({ name, version: v, kind: 'registered', alias: null, from: null, to: status, by, at: now, comment: meta.description ?? null });
      // The folder carries its own manifest, so a lost database can be rebuilt from it.
      await writeManifestOf(w.db, w.modelsDir, name, v, staged);
      // Inside the transaction: if the rename fails, the row is rolled back too.
      placed = join(modelDir, String(v));
      renameSync(staged, placed);
      return v;
    });
    if (reused) await rm(staged, { recursive: true, force: true });
  } catch (e) {
    await rm(staged, { recursive: true, force: true });
    // Renamed into place but the commit failed: the folder has no row, remove it now.
    if (placed !== undefined) await rm(placed, { recursive: true, force: true });
    throw e;
  }
  return w.read.get(name, version);
}

function checkMetrics(metrics: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== 'number') {
      throw new SluiceError('MODEL_BAD_METRIC', `metric "${k}" is ${JSON.stringify(v)}, not a number`, {
        location: { field: `metrics.${k}` },
        hint: 'metrics are numbers, e.g. {"auc": 0.71}',
      });
    }
  }
}

async function verifyForRegistration(artifactDir: string, name: string): Promise<void> {
  try {
    await verifyArtifact(artifactDir);
  } catch (e) {
    if (!isSluiceError(e)) throw e;
    throw new SluiceError(e.code, `cannot register model "${name}": ${e.message}`, {
      ...(e.location ? { location: e.location } : {}),
      ...(e.hint ? { hint: e.hint } : {}),
      cause: e,
    });
  }
}
