import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalObjectStore } from '../../src/storage/LocalObjectStore.js';
import { runObjectStoreConformance } from './objectStoreConformance.js';

runObjectStoreConformance('local folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-objects-local-'));
  const root = join(dir, 'project', '.sluice', 'offline');
  return { storage: new LocalObjectStore(root), scratch: dir, reopen: async () => new LocalObjectStore(root) };
});
