import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOnlineStore } from '../../src/features/online/createOnlineStore.js';
import { runOnlineStoreConformance } from './onlineStoreConformance.js';

// The SQLite store in its own file (`path`): the registry commit and the apply are two transactions.
runOnlineStoreConformance('sqlite (separate file)', async () =>
  createOnlineStore({ type: 'sqlite', path: join(mkdtempSync(join(tmpdir(), 'sluice-online-')), 'online.db') }),
);
