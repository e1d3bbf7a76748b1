import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProjectDb } from '../state/openProjectDb.js';
import { DELETED_PREFIX, TEMP_PREFIX } from './artifactFiles.js';

/**
 * Removes what an interrupted register or delete left under `modelsDir`: `.tmp-*` folders of
 * dead processes, `.deleted-*` folders, and version folders without a row. Call it holding the
 * database write lock (see `ModelRegistry.collectGarbage`). Appends the removed paths.
 */
export function collectOrphans(db: ProjectDb, modelsDir: string, removed: string[]): void {
  for (const model of readdirSync(modelsDir, { withFileTypes: true })) {
    if (!model.isDirectory()) continue;
    const dir = join(modelsDir, model.name);
    for (const ent of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, ent.name);
      const stale = ent.name.startsWith(TEMP_PREFIX) || ent.name.startsWith(DELETED_PREFIX);
      const orphan = /^\d+$/.test(ent.name) && !db.prepare('SELECT 1 FROM model_versions WHERE name = ? AND version = ?').get(model.name, Number(ent.name));
      // A .tmp- folder of a live process (this one included) may be mid-copy: leave it.
      if (stale && ent.name.startsWith(TEMP_PREFIX) && isLive(ent.name)) continue;
      if (stale || orphan) {
        rmSync(p, { recursive: true, force: true });
        removed.push(p);
      }
    }
  }
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
