import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { sha256File } from '../core/fileHash.js';
import { VERSION_MANIFEST } from './versionManifest.js';

/** Prefixes of folders the registry creates and renames; anything with them is work in progress. */
export const TEMP_PREFIX = '.tmp-';
export const DELETED_PREFIX = '.deleted-';

/** A unique temporary name in `dir`, so the final rename stays on one file system. */
export function tempDirIn(dir: string, prefix = TEMP_PREFIX): string {
  return join(dir, `${prefix}${process.pid}-${randomBytes(6).toString('hex')}`);
}

/**
 * Copies an artifact folder (verified by the caller) into `<modelDir>/.tmp-*` and returns the
 * temporary path. The caller renames it to its version folder once the version is allocated, so a reader never sees a
 * half-copied model.
 */
export async function stageArtifact(sourceDir: string, modelDir: string): Promise<string> {
  await mkdir(modelDir, { recursive: true });
  const tmp = tempDirIn(modelDir);
  try {
    await cp(sourceDir, tmp, { recursive: true, errorOnExist: true, force: false });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
  return tmp;
}

/**
 * `sha256:<hex>` over the relative names and bytes of every file under `dir`, in sorted order,
 * leaving out the registry's own manifest (and its temporary files), which changes with status.
 */
export async function hashDir(dir: string): Promise<string> {
  const files: string[] = [];
  async function walk(d: string): Promise<void> {
    for (const ent of await readdir(d, { withFileTypes: true })) {
      const p = join(d, ent.name);
      if (d === dir && ent.name.startsWith(VERSION_MANIFEST)) continue;
      if (ent.isDirectory()) await walk(p);
      else if (ent.isFile()) files.push(p);
    }
  }
  await walk(dir);
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(relative(dir, f).split('\\').join('/'));
    h.update('\0');
    h.update(await readFile(f));
    h.update('\0');
  }
  return `sha256:${h.digest('hex')}`;
}

/** `sha256:<hex>` of one file's bytes (for the training batch in the lineage). */
export async function hashFile(path: string): Promise<string> {
  return `sha256:${await sha256File(path)}`;
}
