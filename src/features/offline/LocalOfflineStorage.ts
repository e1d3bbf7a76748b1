import { access, mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { checkOfflineKey } from './offlineKey.js';
import type { OfflineStorage } from './OfflineStorage.js';
import { offlineStorageError } from './offlineStorageError.js';

/** The embedded default: a local folder (`.sluice/offline` in a project). */
export class LocalOfflineStorage implements OfflineStorage {
  readonly type = 'local';
  constructor(readonly root: string) {}

  stagingDir(group: string): string {
    // Inside the group's folder, so moving files into place is a same-file-system rename.
    return join(this.root, group);
  }

  async putFile(localPath: string, key: string): Promise<void> {
    const target = join(this.root, checkOfflineKey(key));
    try {
      await mkdir(dirname(target), { recursive: true });
      await rename(localPath, target);
    } catch (e) {
      throw offlineStorageError('write', target, e);
    }
  }

  async localPath(key: string): Promise<string> {
    const path = join(this.root, checkOfflineKey(key));
    // A committed file that is gone is named here, not later by DuckDB in the middle of a query.
    await access(path).catch((e: unknown) => {
      throw offlineStorageError('read', path, e);
    });
    return path;
  }

  async list(prefix: string): Promise<Array<{ key: string; modifiedAt: number }>> {
    if (prefix !== '') checkOfflineKey(prefix.replace(/\/$/, ''));
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
    for (const k of keys) checkOfflineKey(k);
    for (const k of keys) await rm(join(this.root, k), { force: true });
  }

  describe(key: string): string {
    return join(this.root, key);
  }

  async close(): Promise<void> {}
}
