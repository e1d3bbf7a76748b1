import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { StateDb } from '../state/StateDb.js';
import { DELETED_PREFIX, TEMP_PREFIX } from './artifactFiles.js';
import { readVersionManifest, type VersionManifest } from './versionManifest.js';

/** A version folder on disk, and whether the database has its row. */
export interface VersionFolder {
  name: string;
  version: number;
  path: string;
  hasRow: boolean;
  /** What the folder's own manifest says, when it has a readable one. */
  manifest: VersionManifest | undefined;
  /**
   * For a folder without a row: the registered version holding the same idempotency key (the
   * same pipeline step's artifact). A process killed between placing the folder and committing
   * its row leaves such a copy; the step's rerun registered the artifact again.
   */
  duplicateOf?: number;
}

/** What `modelsDir` holds besides registered versions. */
export interface FolderScan {
  /** Version folders (`<name>/<digits>`), registered or not. */
  versions: VersionFolder[];
  /** `.tmp-*` and `.deleted-*` folders an interrupted register or delete left. */
  leftovers: Array<{ path: string; live: boolean }>;
}

/** Lists the version folders and work-in-progress folders under `modelsDir`; reads only. */
export async function scanVersionFolders(db: StateDb, modelsDir: string): Promise<FolderScan> {
  const out: FolderScan = { versions: [], leftovers: [] };
  if (!existsSync(modelsDir)) return out;
  for (const model of readdirSync(modelsDir, { withFileTypes: true })) {
    if (!model.isDirectory()) continue;
    const dir = join(modelsDir, model.name);
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      if (ent.name.startsWith(TEMP_PREFIX)) out.leftovers.push({ path: p, live: isLive(ent.name) });
      else if (ent.name.startsWith(DELETED_PREFIX)) out.leftovers.push({ path: p, live: false });
      else if (ent.isDirectory() && /^\d+$/.test(ent.name)) {
        const version = Number(ent.name);
        const manifest = readVersionManifest(p);
        const row = (await db.one('SELECT 1 AS found FROM model_versions WHERE name = ? AND version = ?', [model.name, version])) !== undefined;
        const twin =
          !row && manifest?.idempotencyKey
            ? await db.one<{ version: number }>('SELECT version FROM model_versions WHERE name = ? AND idempotency_key = ?', [
                model.name,
                manifest.idempotencyKey,
              ])
            : undefined;
        out.versions.push({ name: model.name, version, path: p, hasRow: row, manifest, ...(twin ? { duplicateOf: twin.version } : {}) });
      }
    }
  }
  out.versions.sort((a, b) => (a.name === b.name ? a.version - b.version : a.name < b.name ? -1 : 1));
  return out;
}

/** The highest version number with a folder under `modelDir` (0 when none). */
export function highestFolderVersion(modelDir: string): number {
  if (!existsSync(modelDir)) return 0;
  let max = 0;
  for (const ent of readdirSync(modelDir)) if (/^\d+$/.test(ent)) max = Math.max(max, Number(ent));
  return max;
}

/**
 * Whether the process that made a `.tmp-<pid>-<rand>` folder is still running. Our own pid
 * counts as running: another registry in this process may be copying into it right now.
 */
function isLive(dirName: string): boolean {
  const pid = Number(dirName.slice(TEMP_PREFIX.length).split('-')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
