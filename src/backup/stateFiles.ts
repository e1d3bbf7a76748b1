import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Work in progress the registry, the stores and atomic writes leave under temporary names. */
const IN_PROGRESS = /^\.(tmp|deleted)-|\.tmp-\d+-[0-9a-f]+$/;

/**
 * The regular files under `dir` (relative paths with `/`, sorted), leaving out work in progress
 * (`.tmp-*`, `.deleted-*`, files an atomic write has not renamed yet). A missing folder has none.
 */
export function stateFiles(dir: string): Array<{ path: string; bytes: number }> {
  const out: Array<{ path: string; bytes: number }> = [];
  const walk = (d: string): void => {
    let ents;
    try {
      ents = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of ents) {
      if (IN_PROGRESS.test(e.name)) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push({ path: relative(dir, p).split(sep).join('/'), bytes: statSync(p).size });
    }
  };
  walk(dir);
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Files and bytes under a folder, for a manifest. */
export function folderSize(dir: string): { files: number; bytes: number } {
  const files = stateFiles(dir);
  return { files: files.length, bytes: files.reduce((n, f) => n + f.bytes, 0) };
}
