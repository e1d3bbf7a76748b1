import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import { featureSqlType, type FeatureGroup } from './types.js';

/**
 * The offline store: append-only Parquet history of each feature group, partitioned by event
 * date, under `<root>/<group>/event_date=YYYY-MM-DD/<batch>_<n>.parquet`.
 *
 * A batch becomes visible in one step. Its partition files are written by DuckDB into a staging
 * folder, renamed into place, and only then is the batch committed in the registry; the views
 * read exactly the files of committed batches. A crash at any point leaves either the whole
 * batch or none of it visible, and a retry of the same batch id overwrites its own leftovers.
 */
export class OfflineStore {
  /** @param root the offline folder (`.sluice/offline` in a project) */
  constructor(readonly root: string) {}

  /** File name stem of a batch: stable for a batch id, safe in any file system. */
  static batchKey(batchId: string): string {
    return createHash('sha256').update(batchId).digest('hex').slice(0, 20);
  }

  /**
   * Writes a prepared batch table (see `prepareBatch`) as Parquet partitions and moves them into
   * place. Returns the files, relative to the root, for the registry to commit.
   */
  async writeBatch(engine: Engine, table: string, group: FeatureGroup, batchId: string): Promise<string[]> {
    const key = OfflineStore.batchKey(batchId);
    const groupDir = join(this.root, group.name);
    const staging = join(groupDir, `.staging-${key}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await mkdir(groupDir, { recursive: true });
    try {
      await engine.exec(
        `COPY (SELECT *, strftime(${quoteIdent(group.eventTime)}, '%Y-%m-%d') AS event_date FROM ${quoteIdent(table)})
         TO ${quoteLiteral(staging)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (event_date), FILENAME_PATTERN ${quoteLiteral(`${key}_{i}`)})`,
      );
      const files: string[] = [];
      for (const part of (await readdir(staging)).sort()) {
        const target = join(groupDir, part);
        await mkdir(target, { recursive: true });
        for (const f of (await readdir(join(staging, part))).sort()) {
          await rename(join(staging, part, f), join(target, f));
          files.push(join(group.name, part, f));
        }
      }
      return files;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * SQL of a group's full history: every committed row, with `write_time`,
   * `api_invocation_time` and `is_deleted`. Features added after a file was written read as
   * null in it (schema evolution).
   */
  historySql(group: FeatureGroup, files: readonly string[]): string {
    const empty = group.features
      .map((f) => `CAST(NULL AS ${featureSqlType(f.type)}) AS ${quoteIdent(f.name)}`)
      .concat(['CAST(NULL AS TIMESTAMP) AS write_time', 'CAST(NULL AS TIMESTAMP) AS api_invocation_time', 'CAST(NULL AS BOOLEAN) AS is_deleted'])
      .join(', ');
    const typed = `SELECT ${empty} WHERE false`;
    if (files.length === 0) return typed;
    const list = files.map((f) => quoteLiteral(join(this.root, f))).join(', ');
    return `${typed} UNION ALL BY NAME SELECT * FROM read_parquet([${list}], union_by_name = true, hive_partitioning = false)`;
  }

  /**
   * SQL of the latest snapshot: per record id, the row with the latest event time (then latest
   * write), and only if that row is not a deletion.
   */
  latestSql(group: FeatureGroup, historyRelation: string): string {
    return `SELECT * EXCLUDE (__rn) FROM (
      SELECT *, row_number() OVER (PARTITION BY ${quoteIdent(group.recordIdentifier)}
        ORDER BY ${quoteIdent(group.eventTime)} DESC, write_time DESC, api_invocation_time DESC) AS __rn
      FROM ${quoteIdent(historyRelation)}) WHERE __rn = 1 AND NOT is_deleted`;
  }

  /** Creates views `<group>` (history) and `<group>_latest` (snapshot) in an engine. */
  async registerViews(engine: Engine, group: FeatureGroup, files: readonly string[]): Promise<void> {
    await engine.exec(`CREATE OR REPLACE VIEW ${quoteIdent(group.name)} AS ${this.historySql(group, files)}`);
    await engine.exec(`CREATE OR REPLACE VIEW ${quoteIdent(`${group.name}_latest`)} AS ${this.latestSql(group, group.name)}`);
  }
}
