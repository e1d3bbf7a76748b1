import { parseStagedKey } from './batchAttempt.js';
import type { StoreParts } from './StoreParts.js';
import type { StagedBatch } from './online/OnlineStore.js';

/** What became of a staged batch: applied (its attempt committed), discarded (another attempt did), or left (nothing committed yet). */
export type SettleOutcome = 'applied' | 'discarded' | 'uncommitted';

/**
 * Settles the online entries an attempt staged, from what the registry says: the attempt that
 * committed the batch is applied (a crash between the registry commit and the online apply is
 * completed here), any other attempt of a committed batch id is dropped (a loser, or one that
 * died), and the entries of a batch nobody committed are left for their retry (or for
 * compaction's grace period). Safe to run again and from several processes: applying and
 * discarding are both idempotent.
 */
export async function settleStaged(parts: StoreParts, staged: Pick<StagedBatch, 'group' | 'batchId'>): Promise<SettleOutcome> {
  const { batchId, attempt } = parseStagedKey(staged.batchId);
  const committed = await parts.registry.findBatch(staged.group, batchId);
  if (!committed) return 'uncommitted';
  if ((committed.attempt ?? null) === attempt) {
    await parts.online.applyBatch(staged.group, staged.batchId);
    return 'applied';
  }
  await parts.online.discardBatch(staged.group, staged.batchId);
  return 'discarded';
}

/** Settles every staged attempt of one batch id of a group (see {@link settleStaged}). */
export async function settleBatch(parts: StoreParts, group: string, batchId: string): Promise<void> {
  for (const s of await parts.online.stagedBatches()) {
    if (s.group === group && parseStagedKey(s.batchId).batchId === batchId) await settleStaged(parts, s);
  }
}
