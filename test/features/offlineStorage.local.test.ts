import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalOfflineStorage } from '../../src/features/offline/LocalOfflineStorage.js';
import { runOfflineStorageConformance } from './offlineStorageConformance.js';

runOfflineStorageConformance('local folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-offline-local-'));
  const root = join(dir, 'project', '.sluice', 'offline');
  return { storage: new LocalOfflineStorage(root), scratch: dir, reopen: async () => new LocalOfflineStorage(root) };
});
