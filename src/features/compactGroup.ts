import { randomUUID } from 'node:crypto';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import { settleStaged } from './settleStaged.js';
import type { StoreParts } from './StoreParts.js';
import type { StagedBatch } from './online/OnlineStore.js';
import type { FeatureGroup } from './types.js';

export interface CompactOptions {
  /** Merge a partition (event date) once it holds this many files; default 2. */
  minFiles?: number;
  /**
   * Leftovers younger than this are kept, since they may belong to an ingest still running in
   * another process: uncommitted files in the store, online entries staged by a batch that
   * never committed. Default one hour.
   */
  graceMs?: number;
  /**
   * Remove files no committed batch lists (default true, for the explicit `sluice features
   * compact`). Automatic compaction after a write passes false: with an older or restored
   * database, "not listed" may mean "committed in a newer database", and nothing is deleted by
   * inference.
   */
  removeStrayFiles?: boolean;
  now?: Date;
}

export interface CompactResult {
  group: string;
  /** The batch holding the merged files (kind `compact`), or null when nothing was merged. */
  batchId: string | null;
  partitionsMerged: number;
  filesMerged: number;
  filesWritten: number;
  /** Files no committed batch lists (a crash between writing and committing), removed. */
  strayFilesRemoved: string[];
  /** Staging folders of processes that are gone, removed. */
  stagingRemoved: string[];
  /** Online entries staged by batches that never committed, dropped. */
  onlineStagedDiscarded: StagedBatch[];
}

/**
 * Compacts a group's offline store and cleans what crashes left behind:
 *
 * 1. staging folders of dead processes and, older than the grace period, files no committed
 *    batch lists and online entries staged by batches that never committed;
 * 2. every event-date partition with at least `minFiles` files (each `putRecord`/`deleteRecord`
 *    and each batch add one) is rewritten as one file per partition, rows unchanged
 *    (`write_time`, `is_deleted` included), committed as a batch of kind `compact` in the same
 *    registry transaction that takes the old files off their batches' lists; then the old files
 *    are removed. Readers see the old files or the new ones, never both or neither.
 *
 * A query running in another process at the moment old files are removed can fail once (its
 * views named the old files); the next query reads the new ones.
 */
export async function compactGroup(parts: StoreParts, engine: Engine, group: FeatureGroup, options: CompactOptions = {}): Promise<CompactResult> {
  const now = options.now ?? new Date();
  const grace = options.graceMs ?? 3_600_000;
  const minFiles = Math.max(2, options.minFiles ?? 2);
  const stagingRemoved = await parts.offline.sweepStaging([group.name]);
  const onlineStagedDiscarded: StagedBatch[] = [];
  for (const b of await parts.online.stagedBatches()) {
    if (b.group !== group.name) continue;
    // Committed: applied, or dropped when another attempt committed the batch (settleStaged).
    if ((await settleStaged(parts, b)) !== 'uncommitted') continue;
    if (now.getTime() - b.stagedAt > grace) {
      await parts.online.discardBatch(b.group, b.batchId);
      onlineStagedDiscarded.push(b);
    }
  }

  const referenced = new Set((await parts.registry.batches(group.name)).flatMap((b) => b.files));
  const strayFilesRemoved =
    options.removeStrayFiles === false
      ? []
      : (await parts.offline.storage.list(`${group.name}/`)).filter((f) => !referenced.has(f.key) && now.getTime() - f.modifiedAt > grace).map((f) => f.key);
  await parts.offline.storage.remove(strayFilesRemoved);

  const byPartition = new Map<string, string[]>();
  for (const key of referenced) {
    const part = key.split('/')[1] ?? '';
    byPartition.set(part, [...(byPartition.get(part) ?? []), key]);
  }
  const merged = [...byPartition.values()].filter((keys) => keys.length >= minFiles);
  const base = { group: group.name, strayFilesRemoved, stagingRemoved, onlineStagedDiscarded };
  if (merged.length === 0) return { ...base, batchId: null, partitionsMerged: 0, filesMerged: 0, filesWritten: 0 };

  const old = merged.flat().sort();
  const table = engine.tempName('fs_compact');
  await engine.exec(`CREATE TEMP TABLE ${quoteIdent(table)} AS ${parts.offline.historySql(group, await parts.offline.localFiles(old))}`);
  try {
    const batchId = `compact-${randomUUID()}`;
    const files = await parts.offline.writeBatch(engine, table, group, batchId);
    try {
      await parts.registry.commitCompaction(group.name, { batchId, files }, old, now);
    } catch (e) {
      await parts.offline.storage.remove(files);
      throw e;
    }
    await parts.offline.storage.remove(old);
    return { ...base, batchId, partitionsMerged: merged.length, filesMerged: old.length, filesWritten: files.length };
  } finally {
    await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(table)}`);
  }
}

/** The largest number of committed files in one partition of a group (auto-compaction's trigger). */
export function maxFilesPerPartition(files: readonly string[]): number {
  const counts = new Map<string, number>();
  let max = 0;
  for (const f of files) {
    const p = f.split('/')[1] ?? '';
    const n = (counts.get(p) ?? 0) + 1;
    counts.set(p, n);
    if (n > max) max = n;
  }
  return max;
}
