import { statSync } from 'node:fs';
import { locateArtifact, readArtifactManifest } from '../artifact/loadArtifact.js';
import { hashDir } from './artifactFiles.js';
import type { VersionFolder } from './scanVersionFolders.js';
import type { ModelVersion } from './types.js';

/** One version `sluice models recover` registers again from its folder. */
export interface RecoveredVersion extends Omit<ModelVersion, 'artifactPath' | 'aliases'> {
  path: string;
  idempotencyKey: string | null;
  /** Aliases the folder's manifest says pointed here, with when they were set. */
  aliases: Record<string, { at: string; by: string }>;
  /** Where the facts come from, and anything the user should know. */
  source: 'manifest' | 'artifact';
  notes: string[];
}

/**
 * Reads what the registry needs from each unregistered version folder: its manifest
 * (`sluice-version.json`), or, for a folder written before manifests existed, its artifact's
 * manifest (src/artifact/) with status `pending`. A copy of an artifact registered under another
 * version (same idempotency key: a step killed before its commit, then rerun) is skipped. The files are hashed again; a folder whose bytes
 * no longer match its recorded hash comes back `pending` without aliases, to be approved again.
 */
export async function planRecovery(folders: readonly VersionFolder[]): Promise<RecoveredVersion[]> {
  const out: RecoveredVersion[] = [];
  for (const f of folders) {
    if (f.hasRow || f.duplicateOf !== undefined) continue;
    const hash = await hashDir(f.path);
    const m = f.manifest;
    if (m && m.name === f.name && m.version === f.version) {
      const intact = m.artifactHash === hash;
      out.push({
        name: f.name,
        version: f.version,
        path: f.path,
        status: intact ? m.status : 'pending',
        statusBy: intact ? m.statusBy : 'recover',
        statusAt: intact ? m.statusAt : new Date().toISOString(),
        statusComment: intact ? m.statusComment : 'recovered: the artifact files changed since registration; approve again',
        description: m.description,
        createdAt: m.createdAt,
        createdBy: m.createdBy,
        artifactHash: hash,
        metrics: m.metrics ?? {},
        tags: m.tags ?? {},
        lineage: m.lineage ?? {},
        idempotencyKey: m.idempotencyKey ?? null,
        aliases: intact ? (m.aliases ?? {}) : {},
        source: 'manifest',
        notes: intact ? [] : [`files changed since registration (recorded ${m.artifactHash}, now ${hash}): recovered as pending, without aliases`],
      });
      continue;
    }
    const notes = m
      ? [`its manifest names ${m.name} version ${m.version}: ignored, recovered from the folder's place`]
      : ['no registry manifest (registered before manifests existed): recovered as pending'];
    out.push({
      name: f.name,
      version: f.version,
      path: f.path,
      status: 'pending',
      statusBy: 'recover',
      statusAt: new Date().toISOString(),
      statusComment: 'recovered from the artifact folder',
      description: null,
      createdAt: statSync(f.path).mtime.toISOString(),
      createdBy: null,
      artifactHash: hash,
      metrics: trainingMetrics(f.path),
      tags: {},
      lineage: {},
      idempotencyKey: null,
      aliases: {},
      source: 'artifact',
      notes,
    });
  }
  return out;
}

/** The holdout metrics the artifact's manifest recorded, if any. */
function trainingMetrics(dir: string): Record<string, number> {
  try {
    const j = readArtifactManifest(locateArtifact(dir))?.manifest;
    return Object.fromEntries(
      Object.entries(j?.metrics?.holdout ?? {}).filter((e): e is [string, number] => typeof e[1] === 'number' && Number.isFinite(e[1])),
    );
  } catch {
    return {};
  }
}
