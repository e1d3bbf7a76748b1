import { SluiceError, isSluiceError } from '../core/errors.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import type { StateDb } from '../state/StateDb.js';
import { newAttempt, parseStagedKey, stagedBatchKey } from './batchAttempt.js';
import type { BatchRecord } from './FeatureRegistry.js';
import { faultPoint, faultPointSync } from './faultPoint.js';
import type { OnlinePutResult } from './online/OnlineStore.js';
import { prepareBatch } from './prepareBatch.js';
import { settleBatch } from './settleStaged.js';
import type { StoreParts } from './StoreParts.js';
import type { FeatureGroup } from './types.js';

export type { StoreParts } from './StoreParts.js';

export interface IngestOptions {
  /** Idempotency key: a batch id already committed to the group is not written again. */
  batchId: string;
  kind?: 'ingest' | 'put' | 'delete';
  /** Overrides the group's TTL for the online records of this batch. */
  ttlSeconds?: number | null;
  /** Name of the input in messages. */
  displayName?: string;
  now?: Date;
}

export interface IngestResult {
  group: string;
  batchId: string;
  /** `already_ingested`: the batch id was committed before; nothing was written this time. */
  status: 'ingested' | 'already_ingested';
  inputRows: number;
  /** Rows written to the offline store (one per record id). */
  rows: number;
  /** Rows of the same id with an earlier event time (or an equal one, earlier in the batch): the latest event time wins. */
  duplicatesDropped: number;
  /** Online writes applied; the others were older than the stored record. */
  onlineWritten: number;
  onlineIgnored: number;
  ignoredColumns: string[];
  missingFeatures: string[];
  files: string[];
}

const CHUNK = 100_000;

/**
 * Ingests one batch (a relation of `engine`) into a group. Order, and why it is crash-safe:
 *
 * 1. check and normalize the batch (`prepareBatch`); nothing is written before it passes;
 * 2. write its offline Parquet partitions into place under this attempt's own names
 *    (invisible: views read only the files of committed batches);
 * 3. stage its online entries under this attempt's own staging key (invisible: readers never
 *    read the staging area);
 * 4. commit: the registry row (offline visibility; it names the attempt) and the online apply.
 *    With the embedded SQLite online store and SQLite state both are one SQLite transaction;
 *    otherwise (Redis, a separate SQLite file, PostgreSQL state) the registry row is the commit
 *    point and the apply follows, completed by `FeatureStore.recover` if the process dies between.
 *
 * Exactly once, whatever happens: a batch id already committed is not written again; a crash
 * before 4 leaves nothing visible, and the retry writes its own attempt; two attempts running at
 * once (a worker's lease expired and another retried) both write and stage, but the registry
 * commits one batch id once, so one wins and the other removes its files and staged entries and
 * answers `already_ingested` with the winner's numbers. Staged entries of other attempts of a
 * committed batch are dropped, never applied (see `settleStaged`).
 */
export async function ingestBatch(parts: StoreParts, engine: Engine, relation: string, group: FeatureGroup, options: IngestOptions): Promise<IngestResult> {
  const done = await parts.registry.findBatch(group.name, options.batchId);
  if (done) {
    // A crash between the registry commit and the online apply leaves the entries staged: apply them now (and drop other attempts').
    await settleBatch(parts, group.name, options.batchId);
    return alreadyIngested(done);
  }
  const now = options.now ?? new Date();
  const kind = options.kind ?? 'ingest';
  const attempt = newAttempt();
  const stageKey = stagedBatchKey(options.batchId, attempt);
  const prepared = await prepareBatch(engine, relation, group, {
    displayName: options.displayName,
    writeTime: now,
    apiInvocationTime: now,
    deleted: kind === 'delete',
  });
  let files: string[] = [];
  try {
    let online: OnlinePutResult;
    try {
      files = await parts.offline.writeBatch(engine, prepared.table, group, options.batchId, attempt);
      await stageEntries(parts, engine, prepared, group, stageKey, kind, options.ttlSeconds === undefined ? group.ttlSeconds : options.ttlSeconds);
      await faultPoint('pause-before-commit');
      const commit = async (tx?: StateDb) => {
        await parts.registry.commitBatch(
          { group: group.name, batchId: options.batchId, kind, files, rows: prepared.rows, duplicatesDropped: prepared.duplicatesDropped, attempt },
          now,
          tx,
        );
        faultPointSync('kill-in-commit');
      };
      online = await parts.online.applyBatch(group.name, stageKey, commit);
    } catch (e) {
      const committed = await parts.registry.findBatch(group.name, options.batchId).catch(() => undefined);
      if (committed?.attempt === attempt) {
        throw new SluiceError(
          'ONLINE_APPLY_PENDING',
          `batch "${options.batchId}" of "${group.name}" is committed offline, but applying it to the ${parts.online.type} online store failed: ${(e as Error).message}`,
          {
            hint: 'the staged records are applied when the feature store is opened again, or by ingesting the same batch id again',
            retryable: true,
            httpStatus: 503,
            cause: e,
          },
        );
      }
      // This attempt did not commit: what it wrote is nobody's; remove it (best effort: compaction removes what is left).
      await discardAttempt(parts, group.name, stageKey, files);
      // Another attempt committed the same batch id meanwhile: the batch is in the store once, with its files.
      if (committed && isSluiceError(e) && e.code === 'BATCH_COMMITTED') return alreadyIngested(committed);
      throw e;
    }
    // Entries other attempts of this batch staged (one that died, one still running) are never applied.
    await dropOtherAttempts(parts, group.name, options.batchId, stageKey);
    return {
      group: group.name,
      batchId: options.batchId,
      status: 'ingested',
      inputRows: prepared.inputRows,
      rows: prepared.rows,
      duplicatesDropped: prepared.duplicatesDropped,
      onlineWritten: online.written,
      onlineIgnored: online.ignored,
      ignoredColumns: prepared.ignoredColumns,
      missingFeatures: prepared.missingFeatures,
      files,
    };
  } finally {
    await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(prepared.table)}`);
  }
}

/** Stages the online entries of a prepared batch under this attempt's key, in chunks. */
async function stageEntries(
  parts: StoreParts,
  engine: Engine,
  prepared: { table: string; rows: number },
  group: FeatureGroup,
  stageKey: string,
  kind: 'ingest' | 'put' | 'delete',
  ttl: number | null | undefined,
): Promise<void> {
  const payload = group.features
    .map((f) => {
      const c = quoteIdent(f.name);
      // Timestamps leave as ISO 8601 UTC strings, the form JSON clients parse.
      return `${quoteIdent(f.name)} := ${f.type === 'timestamp' ? `strftime(${c}, '%Y-%m-%dT%H:%M:%S.%gZ')` : c}`;
    })
    .join(', ');
  for (let from = 0; from < prepared.rows; from += CHUNK) {
    const { columns } = await engine.queryColumns(
      `SELECT CAST(${quoteIdent(group.recordIdentifier)} AS VARCHAR), epoch_ms(${quoteIdent(group.eventTime)}), CAST(to_json(struct_pack(${payload})) AS VARCHAR)
       FROM ${quoteIdent(prepared.table)} WHERE rowid >= ${from} AND rowid < ${from + CHUNK}`,
    );
    const [ids = [], times = [], payloads = []] = columns;
    const entries = ids.map((id, i) => {
      const t = Number(times[i]);
      return { id: String(id), eventTime: t, expiresAt: ttl ? t + ttl * 1000 : null, payload: String(payloads[i]) };
    });
    await parts.online.stage(group.name, stageKey, entries, { deleted: kind === 'delete' });
  }
}

function alreadyIngested(done: BatchRecord): IngestResult {
  return {
    group: done.group,
    batchId: done.batchId,
    status: 'already_ingested',
    inputRows: 0,
    rows: done.rows,
    duplicatesDropped: done.duplicatesDropped,
    onlineWritten: 0,
    onlineIgnored: 0,
    ignoredColumns: [],
    missingFeatures: [],
    files: done.files,
  };
}

async function discardAttempt(parts: StoreParts, group: string, stageKey: string, files: readonly string[]): Promise<void> {
  await parts.online.discardBatch(group, stageKey).catch(() => {});
  await parts.offline.storage.remove(files).catch(() => {});
}

async function dropOtherAttempts(parts: StoreParts, group: string, batchId: string, keep: string): Promise<void> {
  try {
    for (const s of await parts.online.stagedBatches()) {
      if (s.group === group && s.batchId !== keep && parseStagedKey(s.batchId).batchId === batchId) await parts.online.discardBatch(group, s.batchId);
    }
  } catch {
    // Best effort: the batch is committed; leftovers are dropped by recovery or compaction.
  }
}
