import { openProjectDb } from '../../src/state/openProjectDb.js';
import { createOnlineStore } from '../../src/features/online/createOnlineStore.js';
import { runOnlineStoreConformance } from './onlineStoreConformance.js';

runOnlineStoreConformance('sqlite', async () => createOnlineStore({ type: 'sqlite' }, { db: openProjectDb(':memory:') }));
