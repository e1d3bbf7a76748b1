import { existsSync } from 'node:fs';
import type { StateDb } from '../state/StateDb.js';
import { toVersion, type VersionRow } from './rows.js';
import type { ModelHistoryEntry } from './types.js';
import { writeVersionManifest } from './versionManifest.js';

/**
 * Writes a version's manifest (its row and aliases) into `dir` (default its folder). Called
 * after every change the version's row or aliases see, so the folder can rebuild the row.
 */
export async function writeManifestOf(db: StateDb, modelsDir: string, name: string, version: number, dir?: string): Promise<void> {
  const row = await db.one<VersionRow & { idempotency_key: string | null }>('SELECT * FROM model_versions WHERE name = ? AND version = ?', [name, version]);
  if (!row) return;
  const v = toVersion(modelsDir, row, []);
  const target = dir ?? v.artifactPath;
  if (!existsSync(target)) return;
  const aliases: Record<string, { at: string; by: string }> = {};
  for (const a of await db.query<{ alias: string; updated_at: string; updated_by: string }>(
    'SELECT alias, updated_at, updated_by FROM model_aliases WHERE name = ? AND version = ?',
    [name, version],
  )) {
    aliases[a.alias] = { at: a.updated_at, by: a.updated_by };
  }
  writeVersionManifest(target, {
    name,
    version,
    status: v.status,
    statusBy: v.statusBy,
    statusAt: v.statusAt,
    statusComment: v.statusComment,
    description: v.description,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    artifactHash: v.artifactHash,
    metrics: v.metrics,
    tags: v.tags,
    lineage: v.lineage,
    idempotencyKey: row.idempotency_key,
    aliases,
  });
}

/** Rewrites the manifests of the versions that recorded changes touched (best effort). */
export async function refreshManifests(db: StateDb, modelsDir: string, events: readonly ModelHistoryEntry[]): Promise<void> {
  const touched = new Map<string, { name: string; version: number }>();
  const touch = (name: string, version: number | null | undefined) => {
    if (version !== null && version !== undefined && Number.isInteger(version)) touched.set(`${name}\u0000${version}`, { name, version });
  };
  for (const e of events) {
    if (e.kind === 'registered' || e.kind === 'deleted') continue;
    touch(e.name, e.version);
    // An alias moved away from a version: that version's manifest must stop claiming it.
    if (e.alias !== null && e.from !== null && /^\d+$/.test(e.from)) touch(e.name, Number(e.from));
  }
  for (const t of touched.values()) {
    try {
      await writeManifestOf(db, modelsDir, t.name, t.version);
    } catch {
      // The change is committed in the database; a manifest that could not be rewritten (disk
      // full) is only a stale copy, refreshed by the version's next change.
    }
  }
}
