import { SluiceError } from '../core/errors.js';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent } from '../engine/sql.js';
import type { FeatureRegistry } from './FeatureRegistry.js';
import type { OfflineStore } from './OfflineStore.js';
import type { OnlineStore } from './online/OnlineStore.js';
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
 * Ingests one batch (a relation of `engine`) into a group: checks it, writes its offline
 * partitions, writes the online store, and commits the batch in the registry last. The commit
 * is the moment the offline rows become visible; online writes are idempotent (an equal event
 * time overwrites with the same values), so a retry after a crash converges on the same state.
 */
export async function ingestBatch(parts: StoreParts, engine: Engine, relation: string, group: FeatureGroup, options: IngestOptions): Promise<IngestResult> {
  const done = parts.registry.findBatch(group.name, options.batchId);
  const base = { group: group.name, batchId: options.batchId };
  if (done) {
    return { ...base, status: 'already_ingested', inputRows: 0, rows: done.rows, duplicatesDropped: done.duplicatesDropped, onlineWritten: 0, onlineIgnored: 0, ignoredColumns: [], missingFeatures: [], files: done.files };
  }
  const now = options.now ?? new Date();
  const kind = options.kind ?? 'ingest';
  const prepared = await prepareBatch(engine, relation, group, { displayName: options.displayName, writeTime: now, apiInvocationTime: now, deleted: kind === 'delete' });
  try {
    const files = await parts.offline.writeBatch(engine, prepared.table, group, options.batchId);
    let onlineWritten = 0;
    let onlineIgnored = 0;
    const ttl = options.ttlSeconds === undefined ? group.ttlSeconds : options.ttlSeconds;
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
      if (kind === 'delete') {
        for (let i = 0; i < ids.length; i++) {
          if (await parts.online.delete(group.name, String(ids[i]), Number(times[i]))) onlineWritten += 1;
          else onlineIgnored += 1;
        }
        continue;
      }
      const entries = ids.map((id, i) => {
        const t = Number(times[i]);
        return { id: String(id), eventTime: t, expiresAt: ttl ? t + ttl * 1000 : null, payload: String(payloads[i]) };
      });
      const r = await parts.online.put(group.name, entries);
      onlineWritten += r.written;
      onlineIgnored += r.ignored;
    }
    try {
      parts.registry.commitBatch({ group: group.name, batchId: options.batchId, kind, files, rows: prepared.rows, duplicatesDropped: prepared.duplicatesDropped }, now);
    } catch (e) {
      // Another writer committed the same batch id meanwhile: its files are ours (same names).
      if (parts.registry.findBatch(group.name, options.batchId)) {
        throw new SluiceError('BATCH_CONCURRENT', `batch "${options.batchId}" of "${group.name}" was committed by another writer at the same time`, {
          hint: 'the batch is in the store once; nothing to do',
          httpStatus: 409,
          cause: e,
        });
      }
      throw e;
    }
    return {
      ...base,
      status: 'ingested',
      inputRows: prepared.inputRows,
      rows: prepared.rows,
      duplicatesDropped: prepared.duplicatesDropped,
      onlineWritten,
      onlineIgnored,
      ignoredColumns: prepared.ignoredColumns,
      missingFeatures: prepared.missingFeatures,
      files,
    };
  } finally {
    await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(prepared.table)}`);
  }
}
