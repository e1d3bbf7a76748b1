import { SluiceError } from '../core/errors.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import type { FeatureRegistry } from './FeatureRegistry.js';
import type { OfflineStore } from './OfflineStore.js';
import { faultPoint, faultPointSync } from './faultPoint.js';
import type { OnlinePutResult, OnlineStore } from './online/OnlineStore.js';
import { prepareBatch } from './prepareBatch.js';
import type { FeatureGroup } from './types.js';

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

export interface StoreParts {
  registry: FeatureRegistry;
  offline: OfflineStore;
  online: OnlineStore;
}

const CHUNK = 100_000;

/**
 * Ingests one batch (a relation of `engine`) into a group. Order, and why it is crash-safe:
 *
 * 1. check and normalize the batch (`prepareBatch`); nothing is written before it passes;
 * 2. write its offline Parquet partitions into place (invisible: views read only the files of
 *    committed batches);
 * 3. stage its online entries (invisible: readers never read the staging area), after dropping
 *    whatever a crashed earlier attempt of the same batch id staged;
 * 4. commit: the registry row (offline visibility) and the online apply. With the embedded
 *    SQLite online store both are one SQLite transaction; with Redis or a separate SQLite file
 *    the registry row is the commit point and the apply follows, completed by
 *    `FeatureStore.recover` if the process dies in between.
 *
 * A crash before 4 leaves nothing visible anywhere; the retry with the same batch id rewrites the
 * same file names and restages. A batch id already committed is not written again.
 */
export async function ingestBatch(parts: StoreParts, engine: Engine, relation: string, group: FeatureGroup, options: IngestOptions): Promise<IngestResult> {
  const done = await parts.registry.findBatch(group.name, options.batchId);
  const base = { group: group.name, batchId: options.batchId };
  if (done) {
    // A crash between the registry commit and the online apply leaves the entries staged: apply them now.
    if ((await parts.online.stagedBatches()).some((b) => b.group === group.name && b.batchId === options.batchId)) {
      await parts.online.applyBatch(group.name, options.batchId);
    }
    return {
      ...base,
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
  const now = options.now ?? new Date();
  const kind = options.kind ?? 'ingest';
  const prepared = await prepareBatch(engine, relation, group, {
    displayName: options.displayName,
    writeTime: now,
    apiInvocationTime: now,
    deleted: kind === 'delete',
  });
  try {
    const files = await parts.offline.writeBatch(engine, prepared.table, group, options.batchId);
    const ttl = options.ttlSeconds === undefined ? group.ttlSeconds : options.ttlSeconds;
    const payload = group.features
      .map((f) => {
        const c = quoteIdent(f.name);
        // Timestamps leave as ISO 8601 UTC strings, the form JSON clients parse.
        return `${quoteIdent(f.name)} := ${f.type === 'timestamp' ? `strftime(${c}, '%Y-%m-%dT%H:%M:%S.%gZ')` : c}`;
      })
      .join(', ');
    await parts.online.discardBatch(group.name, options.batchId);
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
      await parts.online.stage(group.name, options.batchId, entries, { deleted: kind === 'delete' });
    }
    await faultPoint('pause-before-commit');
    let committedHere = false;
    const commit = () => {
      parts.registry.commitBatch(
        { group: group.name, batchId: options.batchId, kind, files, rows: prepared.rows, duplicatesDropped: prepared.duplicatesDropped },
        now,
      );
      committedHere = true;
      faultPointSync('kill-in-commit');
    };
    let online: OnlinePutResult;
    try {
      online = await parts.online.applyBatch(group.name, options.batchId, commit);
    } catch (e) {
      const committed = await parts.registry.findBatch(group.name, options.batchId);
      if (committed && !committedHere) {
        // Another writer committed the same batch id meanwhile: its files are ours (same names).
        throw new SluiceError('BATCH_CONCURRENT', `batch "${options.batchId}" of "${group.name}" was committed by another writer at the same time`, {
          hint: 'the batch is in the store once; nothing to do',
          httpStatus: 409,
          cause: e,
        });
      }
      if (committed) {
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
      throw e;
    }
    return {
      ...base,
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
