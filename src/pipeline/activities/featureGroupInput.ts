import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { SluiceConfig } from '../../core/config.js';
import { atomicWriteFile } from '../../engine/atomicWriteFile.js';
import { readTable } from '../../engine/readTable.js';
import { quoteIdent } from '../../engine/sql.js';
import { featureStoreFromConfig } from '../../features/featureStoreFromConfig.js';
import type { FeatureGroupReader } from '../../flow/loadInputs.js';

/**
 * Reads a feature group for a flow's `inputs:` from the project's feature store: the latest live
 * record per id, or with `history` the offline-store table (every version). The rows pass through
 * a JSON-lines file, as the store's engine is not the flow's.
 */
export function featureGroupReader(projectRoot: string, config: SluiceConfig | undefined): FeatureGroupReader {
  return async (engine, group, history, relation) => {
    const store = await featureStoreFromConfig(projectRoot, config);
    const file = join(tmpdir(), `sluice-fg-${randomBytes(6).toString('hex')}.jsonl`);
    try {
      await store.describeGroup(group);
      const rows = await store.query(`SELECT * FROM ${quoteIdent(history ? group : `${group}_latest`)}`);
      await atomicWriteFile(file, rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).join('\n') + '\n');
      await readTable(engine, file, { name: relation });
    } finally {
      await store.close();
      await rm(file, { force: true });
    }
  };
}
