import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObjectStore } from '../../src/storage/createObjectStore.js';
import { runObjectStoreConformance } from './objectStoreConformance.js';

runObjectStoreConformance('local folder', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-objects-local-'));
  const root = join(dir, 'project', '.sluice', 'offline');
  // Opened as sluice.yaml's `{ type: local }` opens it: through the backends list.
  const open = () => createObjectStore({ type: 'local' }, { defaultRoot: root, cacheDir: join(dir, 'cache') });
  return { storage: open(), scratch: dir, reopen: async () => open() };
});
