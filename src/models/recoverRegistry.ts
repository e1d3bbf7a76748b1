import { join } from 'node:path';
import { planRecovery, type RecoveredVersion } from './recoverVersions.js';
import type { RegistryWriter } from './RegistryWriter.js';
import { scanVersionFolders } from './scanVersionFolders.js';
import { CHAMPION } from './types.js';

/**
 * `sluice models recover`: registers again every version folder the database has no row for,
 * from the folder's manifest (status, metrics, tags, lineage, aliases) or, for a folder older
 * than manifests, from its training manifest as `pending`. An alias a recovered folder claims
 * is set only when the database has no such alias; when several claim one, the latest wins.
 * `champion` goes only to an approved version. Recorded in the history as `recovered`.
 */
export async function recoverRegistry(
  w: RegistryWriter,
  by: string,
  options: { dryRun?: boolean } = {},
): Promise<{ recovered: RecoveredVersion[]; aliases: Array<{ name: string; alias: string; version: number }> }> {
  const plan = await planRecovery((await scanVersionFolders(w.db, w.modelsDir)).versions);
  const aliases: Array<{ name: string; alias: string; version: number }> = [];
  const claims = new Map<string, { name: string; alias: string; version: number; at: string }>();
  for (const r of plan) {
    for (const [alias, { at }] of Object.entries(r.aliases)) {
      if (alias === CHAMPION && r.status !== 'approved') continue;
      const key = `${r.name}\u0000${alias}`;
      const prior = claims.get(key);
      if (!prior || prior.at < at) claims.set(key, { name: r.name, alias, version: r.version, at });
    }
  }
  if (options.dryRun) {
    for (const c of claims.values())
      if (!(await w.db.one('SELECT 1 AS found FROM model_aliases WHERE name = ? AND alias = ?', [c.name, c.alias]))) aliases.push(c);
    return { recovered: plan, aliases };
  }
  await w.tx(async (w) => {
    aliases.length = 0;
    const now = new Date().toISOString();
    for (const r of plan) {
      if (await w.db.one('SELECT 1 AS found FROM model_versions WHERE name = ? AND version = ?', [r.name, r.version])) continue;
      await w.db.run('INSERT INTO model_names (name, last_version, created_at) VALUES (?, 0, ?) ON CONFLICT DO NOTHING', [r.name, r.createdAt]);
      await w.db.run('UPDATE model_names SET last_version = ? WHERE name = ? AND last_version < ?', [r.version, r.name, r.version]);
      await w.db.run(
        `INSERT INTO model_versions (name, version, status, status_by, status_at, status_comment, description, created_at, created_by,
             artifact_dir, artifact_hash, metrics, tags, lineage, idempotency_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          r.name,
          r.version,
          r.status,
          r.statusBy,
          r.statusAt,
          r.statusComment,
          r.description,
          r.createdAt,
          r.createdBy,
          join(r.name, String(r.version)),
          r.artifactHash,
          JSON.stringify(r.metrics),
          JSON.stringify(r.tags),
          JSON.stringify(r.lineage),
          await freeIdempotencyKey(w, r.name, r.idempotencyKey),
        ],
      );
      await w.record({
        name: r.name,
        version: r.version,
        kind: 'recovered',
        alias: null,
        from: null,
        to: r.status,
        by,
        at: now,
        comment: [`from ${r.source === 'manifest' ? 'its manifest' : 'the artifact folder'}`, ...r.notes].join('; '),
      });
    }
    for (const c of claims.values()) {
      if (await w.db.one('SELECT 1 AS found FROM model_aliases WHERE name = ? AND alias = ?', [c.name, c.alias])) continue;
      await w.db.run('INSERT INTO model_aliases (name, alias, version, updated_at, updated_by) VALUES (?, ?, ?, ?, ?)', [c.name, c.alias, c.version, now, by]);
      await w.record({
        name: c.name,
        version: c.version,
        kind: 'alias',
        alias: c.alias,
        from: null,
        to: String(c.version),
        by,
        at: now,
        comment: `recovered: the folder's manifest says ${c.alias} since ${c.at}`,
      });
      aliases.push(c);
    }
  });
  return { recovered: plan, aliases };
}

/** The key, unless another version of the model already holds it (then none: it must stay unique). */
async function freeIdempotencyKey(w: RegistryWriter, name: string, key: string | null): Promise<string | null> {
  if (key === null) return null;
  return (await w.db.one('SELECT 1 AS found FROM model_versions WHERE name = ? AND idempotency_key = ?', [name, key])) ? null : key;
}
