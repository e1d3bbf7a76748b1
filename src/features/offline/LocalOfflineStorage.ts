import { mkdir, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { OfflineStorage } from './OfflineStorage.js';

/** The embedded default: a local folder (`.sluice/offline` in a project). */
export class LocalOfflineStorage implements OfflineStorage {
  readonly type = 'local';
  constructor(readonly root: string) {}

  stagingDir(group: string): string {
    // Inside the group's folder, so moving files into place is a same-file-system rename.
    return join(this.root, group);
  }

  async putFile(localPath: string, key: string): Promise<void> {
    const target = join(this.root, key);
    await mkdir(dirname(target), { recursive: true });
    await rename(localPath, target);
  }

  async localPath(key: string): Promise<string> {
    return join(this.root, key);
  }

  describe(key: string): string {
    return join(this.root, key);
  }

  async close(): Promise<void> {}
}
