import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { stateFolders } from '../core/projectLayout.js';

/**
 * Paths that show a project already has state: model version folders, offline feature files,
 * reports, archived inbox files, a write-ahead log. A database that is missing or empty beside
 * any of them was lost, not never created. Returns at most `limit` paths; reads only.
 *
 * @example
 * stateEvidence('.sluice', ['archive']) // ['.sluice/models/readmission/3', ...]
 */
export function stateEvidence(stateDir: string, extraDirs: readonly string[] = [], limit = 3): string[] {
  const found: string[] = [];
  const state = stateFolders(stateDir);
  const wal = `${state.db}-wal`;
  if (existsSync(wal)) found.push(wal);
  const models = state.models;
  for (const model of entries(models)) {
    for (const v of entries(join(models, model))) if (/^\d+$/.test(v) && found.length < limit) found.push(join(models, model, v));
  }
  for (const dir of [state.offline, state.reports, ...extraDirs]) {
    if (found.length >= limit) break;
    const file = firstFile(dir, 4);
    if (file) found.push(file);
  }
  return found.slice(0, limit);
}

function entries(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** The first regular file under `dir` (not hidden), at most `depth` folders down. */
function firstFile(dir: string, depth: number): string | undefined {
  let list;
  try {
    list = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of list) if (e.isFile() && !e.name.startsWith('.')) return join(dir, e.name);
  if (depth === 0) return undefined;
  for (const e of list) {
    if (!e.isDirectory() || e.name.startsWith('.')) continue;
    const f = firstFile(join(dir, e.name), depth - 1);
    if (f) return f;
  }
  return undefined;
}
