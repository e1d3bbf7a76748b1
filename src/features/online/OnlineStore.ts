import type { StateDb } from '../../state/StateDb.js';

/**
 * The online store keeps the latest record of each id of each feature group, for lookups at
 * prediction time. Backends (SQLite embedded, Redis) store an opaque JSON payload with two
 * times, and all share these rules, checked by one conformance suite
 * (`test/features/onlineStoreConformance.ts`):
 *
 * - A write whose event time is older than the stored live record's is ignored; an equal or
 *   newer one overwrites.
 * - A record whose `expiresAt` (epoch ms) has passed is not returned, and no longer blocks
 *   older writes.
 * - A delete leaves a tombstone with its event time, so a late, older write cannot bring the
 *   record back; a newer write can.
 */
export interface OnlineEntry {
  id: string;
  /** Epoch milliseconds. */
  eventTime: number;
  /** Epoch milliseconds; null: never expires. */
  expiresAt: number | null;
  /** The record's values, JSON-encoded by the caller. */
  payload: string;
}

export interface OnlineKey {
  group: string;
  id: string;
}

export interface OnlinePutResult {
  written: number;
  /** Writes older than the stored record. */
  ignored: number;
}

/** A batch whose entries are staged (written but not visible), see {@link OnlineStore.stage}. */
export interface StagedBatch {
  group: string;
  batchId: string;
  /** Epoch ms of the first staging write. */
  stagedAt: number;
}

export interface OnlineStore {
  /** The short name of the backend (`sqlite`, `redis`). */
  readonly type: string;
  /**
   * Writes entries of a batch where readers cannot see them (a staging table, a staging list).
   * Staging the same batch again adds to it; {@link discardBatch} first to restart a batch.
   * `deleted: true` stages deletions (tombstones) instead of records.
   */
  stage(group: string, batchId: string, entries: readonly OnlineEntry[], options?: { deleted?: boolean }): Promise<void>;
  /**
   * Makes a staged batch visible in one atomic step, with the same older-write rule as `put`,
   * and runs `commit` (the registry's batch commit). The SQLite store that lives in the project
   * database with the registry (`commitsWithRegistry`) runs `commit` and the apply in one SQLite
   * transaction, passing `commit` that transaction. Other backends run `commit` first (without
   * one) and apply right after; a crash between the two is completed by calling `applyBatch`
   * again (see `FeatureStore.recover`), so the online store never shows an uncommitted batch.
   * `commit` throwing leaves the batch staged and invisible. Applied once: the staged entries
   * are gone after it, so applying the same batch id again writes nothing.
   */
  applyBatch(group: string, batchId: string, commit?: (tx?: StateDb) => Promise<void> | void): Promise<OnlinePutResult>;
  /** Drops a batch's staged entries (a retry restarts from nothing; an abandoned batch is cleaned). */
  discardBatch(group: string, batchId: string): Promise<void>;
  /** Batches with staged entries not applied yet. */
  stagedBatches(): Promise<StagedBatch[]>;
  /** True when `applyBatch` runs `commit` in the same transaction as the apply. */
  readonly commitsWithRegistry: boolean;
  put(group: string, entries: readonly OnlineEntry[]): Promise<OnlinePutResult>;
  /** The live record, or null (absent, expired or deleted). */
  get(group: string, id: string): Promise<OnlineEntry | null>;
  /** Many records across groups, in the order asked; null where there is none. */
  batchGet(keys: readonly OnlineKey[]): Promise<Array<OnlineEntry | null>>;
  /**
   * Deletes a record as of `eventTime`. Returns true when a live record was removed; a delete
   * older than the stored record is ignored (false).
   */
  delete(group: string, id: string, eventTime: number): Promise<boolean>;
  /** Removes every record of a group. */
  clearGroup(group: string): Promise<void>;
  close(): Promise<void>;
}

/** Settings of the online store, picked by `type` (see `createOnlineStore`). */
export type OnlineStoreConfig = { type: 'sqlite'; path?: string } | { type: 'redis'; url?: string; keyPrefix?: string };
