import { access, copyFile, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { tempPathFor } from '../engine/atomicWriteFile.js';
import { checkObjectKey } from './objectKey.js';
import type { ObjectStore } from './ObjectStore.js';
import { defineObjectStoreBackend } from './ObjectStoreBackend.js';
import { objectStoreError } from './objectStoreError.js';

/** The embedded default: a local folder (`.sluice/offline`, `.sluice/reports`, ... in a project). */
export class LocalObjectStore implements ObjectStore {
  readonly type = 'local';
  constructor(readonly root: string) {}

  stagingDir(prefix: string): string {
    // Inside the prefix's folder, so moving files into place is a same-file-system rename.
    return join(this.root, prefix);
  }

  async putFile(localPath: string, key: string, options: { keep?: boolean } = {}): Promise<void> {
    const target = join(this.root, checkObjectKey(key));
    try {
      await mkdir(dirname(target), { recursive: true });
      if (options.keep) await copyThenRename(localPath, target);
      else await rename(localPath, target);
    } catch (e) {
      throw objectStoreError('write', target, e);
    }
  }

  async getFile(key: string, dest: string): Promise<void> {
    const path = join(this.root, checkObjectKey(key));
    try {
      await mkdir(dirname(dest), { recursive: true });
      await copyThenRename(path, dest);
    } catch (e) {
      throw objectStoreError('read', path, e);
    }
  }

  async localPath(key: string): Promise<string> {
    const path = join(this.root, checkObjectKey(key));
    // A committed file that is gone is named here, not later by DuckDB in the middle of a query.
    await access(path).catch((e: unknown) => {
      throw objectStoreError('read', path, e);
    });
    return path;
  }

  async list(prefix: string): Promise<Array<{ key: string; modifiedAt: number }>> {
    if (prefix !== '') checkObjectKey(prefix.replace(/\/$/, ''));
    const out: Array<{ key: string; modifiedAt: number }> = [];
    const walk = async (dir: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        // Staging folders are in-flight writes, swept by pid (OfflineStore.sweepStaging), not listed as files.
        if (e.isDirectory()) {
          if (!e.name.startsWith('.staging-')) await walk(p);
        } else if (e.isFile()) {
          out.push({ key: relative(this.root, p).split(sep).join('/'), modifiedAt: (await stat(p)).mtimeMs });
        }
      }
    };
    await walk(join(this.root, prefix));
    return out.sort((a, b) => a.key.localeCompare(b.key));
  }

  async remove(keys: readonly string[]): Promise<void> {
    for (const k of keys) checkObjectKey(k);
    for (const k of keys) await rm(join(this.root, k), { force: true });
  }

  describe(key: string): string {
    return join(this.root, key);
  }

  async close(): Promise<void> {}
}

/** Copies `from` to a temporary name beside `to`, then renames it: `to` is whole or absent. */
async function copyThenRename(from: string, to: string): Promise<void> {
  const tmp = tempPathFor(to);
  try {
    await copyFile(from, tmp);
    await rename(tmp, to);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Settings of a local store: its folder (absent: the project's folder for the kind). */
export type LocalObjectStoreConfig = { type: 'local'; root?: string };

/**
 * `{ type: local }`: the project's own folder; only the offline store may move it (`path`), the
 * other kinds follow `stateDir` and `archive`.
 */
export const localBackend = defineObjectStoreBackend<LocalObjectStoreConfig>({
  type: 'local',
  example: { type: 'local' },
  fields: (options) => (options.localPath ? ['path'] : []),
  noFieldsHint: 'a local store is the project folder that stateDir (or archive) names: leave path out, or move that folder with stateDir / archive',
  settings: (_field, entry, options) => (entry.path ? { type: 'local', root: options.at(entry.path) } : { type: 'local' }),
  open: (config, ctx) => new LocalObjectStore(config.root || ctx.defaultRoot),
});
