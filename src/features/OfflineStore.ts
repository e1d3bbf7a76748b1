import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../engine/Engine.js';
import { quoteIdent, quoteLiteral } from '../engine/sql.js';
import { LocalObjectStore } from '../storage/LocalObjectStore.js';
import type { ObjectStore } from '../storage/ObjectStore.js';
import { featureSqlType, type FeatureGroup } from './types.js';

/**
 * The offline store: append-only Parquet history of each feature group, partitioned by event
 * date, under `<group>/event_date=YYYY-MM-DD/<batch>_<n>.parquet` in its storage (a local
 * folder, `.sluice/offline` by default, or an S3-compatible bucket).
 *
 * A batch becomes visible in one step. Its partition files are written by DuckDB into a staging
 * folder, moved into the storage (renames, or PUTs), and only then is the batch committed in
 * the registry; the views read exactly the files of committed batches. A crash at any point
 * leaves either the whole batch or none of it visible. Each ingest attempt names its files
 * `<batch>-<attempt>_<n>.parquet`, so two attempts of one batch id running at once never write
 * each other's files; the registry lists the committed attempt's files only, and the files a
 * crashed attempt left are removed by `sluice features compact` (after its grace period).
 */
export class OfflineStore {
  readonly storage: ObjectStore;

  /** @param storage where the files live; a string is a local folder */
  constructor(storage: ObjectStore | string) {
    this.storage = typeof storage === 'string' ? new LocalObjectStore(storage) : storage;
  }

  /** File name stem of a batch: stable for a batch id, safe in any file system. */
  static batchKey(batchId: string): string {
    return createHash('sha256').update(batchId).digest('hex').slice(0, 20);
  }

  /**
   * Writes a prepared batch table (see `prepareBatch`) as Parquet partitions and moves them into
   * the storage. Returns the files' keys (`<group>/event_date=.../<name>`) for the registry to commit.
   * `attempt` (see batchAttempt.ts) makes the names this attempt's own.
   */
  async writeBatch(engine: Engine, table: string, group: FeatureGroup, batchId: string, attempt?: string): Promise<string[]> {
    const key = OfflineStore.batchKey(batchId);
    const stem = attempt ? `${key}-${attempt}` : key;
    const stagingRoot = this.storage.stagingDir(group.name);
    const staging = join(stagingRoot, `.staging-${key}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await mkdir(stagingRoot, { recursive: true });
    try {
      await engine.exec(
        `COPY (SELECT *, strftime(${quoteIdent(group.eventTime)}, '%Y-%m-%d') AS event_date FROM ${quoteIdent(table)})
         TO ${quoteLiteral(staging)} (FORMAT parquet, COMPRESSION snappy, PARTITION_BY (event_date), FILENAME_PATTERN ${quoteLiteral(`${stem}_{i}`)})`,
      );
      const files: string[] = [];
      for (const part of (await readdir(staging)).sort()) {
        for (const f of (await readdir(join(staging, part))).sort()) {
          const fileKey = `${group.name}/${part}/${f}`;
          await this.storage.putFile(join(staging, part, f), fileKey);
          files.push(fileKey);
        }
      }
      return files;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }

  /**
   * Removes staging folders (`.staging-<batch>-<pid>-<random>`) whose writing process is gone:
   * a crash between DuckDB's COPY and the moves leaves one behind. Folders of live processes
   * (an ingest running elsewhere) are kept. Returns the removed folders.
   */
  async sweepStaging(groups: readonly string[]): Promise<string[]> {
    const removed: string[] = [];
    for (const g of groups) {
      const dir = this.storage.stagingDir(g);
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        continue;
      }
      for (const n of names) {
        const m = /^\.staging-[0-9a-f]+-(\d+)-[0-9a-f]+$/.exec(n);
        if (!m || processAlive(Number(m[1]))) continue;
        await rm(join(dir, n), { recursive: true, force: true });
        removed.push(join(dir, n));
      }
    }
    return removed;
  }

  /** Local paths DuckDB can read for committed file keys (downloads into the cache for a remote storage). */
  async localFiles(keys: readonly string[]): Promise<string[]> {
    const out: string[] = new Array(keys.length);
    let next = 0;
    const worker = async () => {
      while (next < keys.length) {
        const i = next++;
        out[i] = await this.storage.localPath(keys[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, keys.length) }, worker));
    return out;
  }

  /**
   * SQL of a group's full history over local files (see {@link localFiles}): every committed
   * row, with `write_time`, `api_invocation_time` and `is_deleted`. Features added after a file
   * was written read as null in it (schema evolution).
   */
  historySql(group: FeatureGroup, localPaths: readonly string[]): string {
    const empty = group.features
      .map((f) => `CAST(NULL AS ${featureSqlType(f.type)}) AS ${quoteIdent(f.name)}`)
      .concat(['CAST(NULL AS TIMESTAMP) AS write_time', 'CAST(NULL AS TIMESTAMP) AS api_invocation_time', 'CAST(NULL AS BOOLEAN) AS is_deleted'])
      .join(', ');
    const typed = `SELECT ${empty} WHERE false`;
    if (localPaths.length === 0) return typed;
    const list = localPaths.map((f) => quoteLiteral(f)).join(', ');
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

  /** Creates views `<group>` (history) and `<group>_latest` (snapshot) in an engine, from committed file keys. */
  async registerViews(engine: Engine, group: FeatureGroup, keys: readonly string[]): Promise<void> {
    await engine.exec(`CREATE OR REPLACE VIEW ${quoteIdent(group.name)} AS ${this.historySql(group, await this.localFiles(keys))}`);
    await engine.exec(`CREATE OR REPLACE VIEW ${quoteIdent(`${group.name}_latest`)} AS ${this.latestSql(group, group.name)}`);
  }
}

/** True when a process with this id exists (ours included); EPERM means it exists under another user. */
function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
