import { randomUUID } from 'node:crypto';
import { sha256File } from '../core/fileHash.js';
import { SluiceError } from '../core/errors.js';
import type { ColumnSchema } from '../core/types.js';
import { Engine, type Row } from '../engine/Engine.js';
import type { DateOrder } from '../core/dateFormats.js';
import { missingPolicy } from '../core/missing.js';
import { readTable, type ReadTableOptions } from '../engine/readTable.js';
import { quoteIdent, sqlValue } from '../engine/sql.js';
import { writeTable } from '../engine/writeTable.js';
import { openProjectDb, type ProjectDb } from '../state/openProjectDb.js';
import type { StateDb } from '../state/StateDb.js';
import { datasetSql, type DatasetOptions } from './buildDataset.js';
import { compactGroup, maxFilesPerPartition, type CompactOptions, type CompactResult } from './compactGroup.js';
import { FeatureRegistry, type EvolveResult } from './FeatureRegistry.js';
import { ingestBatch, type IngestResult } from './ingestBatch.js';
import { OfflineStore } from './OfflineStore.js';
import { createOnlineStore } from './online/createOnlineStore.js';
import type { OnlineEntry, OnlineStore, OnlineStoreConfig, StagedBatch } from './online/OnlineStore.js';
import { prepareBatch } from './prepareBatch.js';
import { settleStaged } from './settleStaged.js';
import type { FeatureDefinition, FeatureGroup, FeatureGroupSpec, FeatureRecord, FeatureType } from './types.js';
import { quoteValue } from '../core/quoteValue.js';
import { groupSpecFromSchema, validateGroupSpec } from './validateGroupSpec.js';
import { stateDirOf, stateFolders } from '../core/projectLayout.js';
import { createObjectStore } from '../storage/createObjectStore.js';
import type { ObjectStoreConfig } from '../storage/objectStoreBackends.js';

export interface FeatureStoreOptions {
  /** The project folder; state goes to `<projectDir>/.sluice/` (sluice.db, offline/) unless `stateDir` says otherwise. */
  projectDir: string;
  /** The state folder (sluice.yaml's `stateDir`, resolved); default `<projectDir>/.sluice`. */
  stateDir?: string;
  /**
   * Compact a group automatically after an ingest, put or delete once one of its event-date
   * partitions holds this many files (see `compact`); default 32, 0: never.
   */
  autoCompactFiles?: number;
  /** Online backend; default the embedded SQLite store in sluice.db. */
  online?: OnlineStoreConfig;
  /** Offline storage; default the local folder `.sluice/offline`. Keep it fixed for a project: batches record keys, not locations. */
  offline?: ObjectStoreConfig;
  /** The project's missing tokens (sluice.yaml `missingTokens`): batches read from files are read with them. */
  missingTokens?: readonly string[];
  /** The project's day/month order of numeric dates (sluice.yaml `dateOrder`). */
  dateOrder?: DateOrder;
  /**
   * The shared state the registry lives in when it is PostgreSQL (`stores.state`; see
   * `featureStoreFromConfig`), so every process sees the same groups and batches. A SQLite state
   * is the project file, which the store opens itself (its embedded online store then commits in
   * one transaction with the registry); a SQLite handle given here is not used.
   */
  state?: StateDb;
  /** Close `state` with the store (it was opened for it). */
  ownsState?: boolean;
}

/** Where a batch comes from: a data file, or a relation of a caller's engine. */
export type BatchSource = { file: string } | { engine: Engine; relation: string };

export interface CreateFromDataOptions extends Omit<FeatureGroupSpec, 'features'> {
  /** Types to use instead of the ones read from the data; each is checked against the data. */
  types?: Record<string, FeatureType>;
  /** Columns of the data that are not features. */
  exclude?: string[];
}

export interface GroupDescription extends FeatureGroup {
  offline: { batches: number; rows: number; files: number };
}

/**
 * The feature store: a registry of feature groups, the offline Parquet history and the online
 * store of latest records, behind one API used by the CLI, the HTTP routes and the pipeline.
 *
 * @example
 * const fs = await FeatureStore.open({ projectDir: '.' });
 * await fs.createGroupFromData({ file: 'patients.csv' }, { name: 'patients', recordIdentifier: 'patient_id', eventTime: 'event_time' });
 * await fs.ingest('patients', { file: 'patients.csv' });
 * const rec = await fs.getRecord('patients', '42');
 */
export class FeatureStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly projectDb: ProjectDb | undefined,
    readonly registry: FeatureRegistry,
    readonly offline: OfflineStore,
    readonly online: OnlineStore,
    private readonly engine: Engine,
    private readonly autoCompactFiles: number,
    private readonly reading: Pick<ReadTableOptions, 'missing' | 'recognise'> = {},
    private readonly ownedState?: StateDb,
  ) {}

  /** The project's SQLite database this store opened (SQLite state, or the embedded online store); throws when it opened none. */
  get db(): ProjectDb {
    if (!this.projectDb) throw new Error('this feature store opened no SQLite project database (its registry is on PostgreSQL)');
    return this.projectDb;
  }

  static async open(options: FeatureStoreOptions): Promise<FeatureStore> {
    const folders = stateFolders(options.stateDir ?? stateDirOf(options.projectDir, undefined));
    const shared = options.state?.dialect === 'postgres' ? options.state : undefined;
    const onlineConfig = options.online ?? { type: 'sqlite' };
    // SQLite state: the registry (and the embedded online store) in the project file. PostgreSQL
    // state: the project file only for an embedded online store, which then commits after the registry.
    const needsFile = !shared || (onlineConfig.type === 'sqlite' && !onlineConfig.path);
    const db = needsFile ? openProjectDb(folders.db, shared ? { allowMissingState: true } : {}) : undefined;
    const registry = new FeatureRegistry(shared ?? db!);
    try {
      await registry.ready();
    } catch (e) {
      db?.close();
      if (options.ownsState) await options.state?.close();
      throw e;
    }
    const online = createOnlineStore(onlineConfig, { ...(db ? { db } : {}), registryInDb: !shared });
    const engine = await Engine.open();
    // Event times are instants: keep DuckDB in UTC whatever the machine's zone.
    await engine.exec("SET TimeZone = 'UTC'");
    const storage = createObjectStore(options.offline ?? { type: 'local' }, {
      defaultRoot: folders.offline,
      cacheDir: folders.offlineCache,
    });
    const reading = { missing: missingPolicy(options.missingTokens), recognise: options.dateOrder ? { dateOrder: options.dateOrder } : {} };
    const owned = options.ownsState ? options.state : undefined;
    const store = new FeatureStore(db, registry, new OfflineStore(storage), online, engine, options.autoCompactFiles ?? 32, reading, owned);
    try {
      await store.recover();
    } catch {
      // Best effort: an unreachable Redis must not stop offline work; every ingest recovers its own batch again.
    }
    return store;
  }

  /**
   * Completes what a crash interrupted: removes staging folders of processes that are gone,
   * applies online entries of batches committed offline but not yet applied online (Redis, a
   * separate SQLite file, or PostgreSQL state: the registry commit is the commit point, the apply
   * follows), and drops entries staged by an attempt that lost its batch to another attempt.
   * Runs on open. Staged entries of batches never committed are left for their retry, or for `compact`.
   */
  async recover(): Promise<{ stagingRemoved: string[]; onlineApplied: StagedBatch[] }> {
    const stagingRemoved = await this.offline.sweepStaging((await this.registry.list()).map((g) => g.name));
    const onlineApplied: StagedBatch[] = [];
    for (const b of await this.online.stagedBatches()) {
      if ((await settleStaged(this.parts(), b)) === 'applied') onlineApplied.push(b);
    }
    return { stagingRemoved, onlineApplied };
  }

  /**
   * Merges a group's small offline files (one per partition) and cleans crash leftovers; see
   * `compactGroup`. Also runs by itself after writes once a partition reaches `autoCompactFiles`.
   */
  async compact(groupName: string, options: CompactOptions = {}): Promise<CompactResult> {
    const group = await this.registry.get(groupName);
    return this.serial(() => compactGroup(this.parts(), this.engine, group, options));
  }

  /** Runs after a write: compacts the group when a partition has reached the threshold. */
  private async maybeCompact(group: FeatureGroup, result: IngestResult): Promise<IngestResult> {
    if (this.autoCompactFiles <= 0 || result.status !== 'ingested') return result;
    if (maxFilesPerPartition((await this.registry.batches(group.name)).flatMap((b) => b.files)) < this.autoCompactFiles) return result;
    await this.serial(() => compactGroup(this.parts(), this.engine, group, { removeStrayFiles: false }));
    return result;
  }

  /** Runs engine work one at a time: the store's DuckDB connection is shared. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  async createGroup(spec: FeatureGroupSpec): Promise<FeatureGroup> {
    return this.registry.create(spec);
  }

  /**
   * Creates a group from a data file's or relation's schema, checking that every value fits its
   * feature's type (a type given in `types` that the data does not fit is refused).
   */
  async createGroupFromData(source: BatchSource, options: CreateFromDataOptions): Promise<FeatureGroup> {
    return this.withSource(source, async (engine, relation) => {
      const s = validateGroupSpec(specFromColumns(await engine.describe(relation), options));
      // Check the data against the definitions before registering anything.
      const probe = { ...s, version: 1, createdAt: '', updatedAt: '', history: [] };
      const prepared = await prepareBatch(engine, relation, probe, {
        writeTime: new Date(),
        apiInvocationTime: new Date(),
        displayName: 'file' in source ? source.file : undefined,
      });
      await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(prepared.table)}`);
      return this.registry.create(s);
    });
  }

  /** The feature definitions a data file or relation would give (for schema evolution from data). */
  async definitionsFromData(source: BatchSource, options: CreateFromDataOptions): Promise<FeatureDefinition[]> {
    return this.withSource(source, async (engine, relation) => specFromColumns(await engine.describe(relation), options).features);
  }

  /** Schema evolution: adds new features; a changed type is refused (see FeatureRegistry.addFeatures). */
  async addFeatures(group: string, features: FeatureDefinition[]): Promise<EvolveResult> {
    return this.registry.addFeatures(group, features);
  }

  async listGroups(): Promise<FeatureGroup[]> {
    return this.registry.list();
  }

  async describeGroup(name: string): Promise<GroupDescription> {
    const g = await this.registry.get(name);
    const batches = await this.registry.batches(g.name);
    return {
      ...g,
      offline: {
        batches: batches.filter((b) => b.kind !== 'compact').length,
        rows: batches.reduce((n, b) => n + b.rows, 0),
        files: batches.reduce((n, b) => n + b.files.length, 0),
      },
    };
  }

  /**
   * Ingests a batch offline and online. Idempotent per `batchId` (default: a hash of the file's
   * bytes; for a relation a new id each time, so pass one, e.g. the execution id).
   */
  async ingest(groupName: string, source: BatchSource, options: { batchId?: string; ttlSeconds?: number | null } = {}): Promise<IngestResult> {
    const group = await this.registry.get(groupName);
    // Staging folders a crashed process left in this group (cheap: one folder listing).
    await this.offline.sweepStaging([group.name]);
    let batchId = options.batchId;
    if (!batchId && 'file' in source) batchId = `file-sha256:${await batchHash(source.file)}`;
    const result = await this.withSource(source, (engine, relation) =>
      ingestBatch(this.parts(), engine, relation, group, {
        batchId: batchId ?? randomUUID(),
        ttlSeconds: options.ttlSeconds,
        displayName: 'file' in source ? source.file : relation,
      }),
    );
    return this.maybeCompact(group, result);
  }

  /** The live online record, or null (unknown id, expired or deleted). Unknown group: 404 error. */
  async getRecord(groupName: string, id: string): Promise<FeatureRecord | null> {
    const name = await this.registry.canonicalName(groupName);
    return toRecord(name, await this.online.get(name, String(id)));
  }

  /** Many records across groups; `record` is null where there is none. */
  async batchGet(
    requests: ReadonlyArray<{ group: string; ids: readonly string[] }>,
  ): Promise<Array<{ group: string; id: string; record: FeatureRecord | null }>> {
    const keys: Array<{ group: string; id: string }> = [];
    for (const r of requests) {
      const name = await this.registry.canonicalName(r.group);
      for (const id of r.ids) keys.push({ group: name, id: String(id) });
    }
    const found = await this.online.batchGet(keys);
    return keys.map((k, i) => ({ group: k.group, id: k.id, record: toRecord(k.group, found[i] ?? null) }));
  }

  /**
   * Writes one record online and offline (a one-row batch). Every field must be a feature of
   * the group; missing features are stored as null. `ttlSeconds` overrides the group's TTL.
   */
  async putRecord(groupName: string, record: Record<string, unknown>, options: { ttlSeconds?: number | null } = {}): Promise<IngestResult> {
    const g = await this.registry.get(groupName);
    if (!record || typeof record !== 'object' || Array.isArray(record)) {
      throw new SluiceError('RECORD_INVALID', 'a record must be an object of feature values', {
        hint: `e.g. {"${g.recordIdentifier}": "42", "${g.eventTime}": "2024-05-01T00:00:00Z"}`,
      });
    }
    for (const [k, v] of Object.entries(record)) {
      if (!g.features.some((f) => f.name.toLowerCase() === k.toLowerCase())) {
        throw new SluiceError('FEATURE_UNKNOWN', `feature group "${g.name}" has no feature ${quoteValue(k)}`, {
          location: { field: k },
          hint: `its features are: ${g.features.map((f) => f.name).join(', ')}; add new ones with schema evolution first`,
        });
      }
      if (v !== null && typeof v === 'object') {
        throw new SluiceError('RECORD_INVALID', `feature ${quoteValue(k)} has a nested value; features are scalars`, {
          location: { field: k },
          hint: 'send a string, number, boolean or null',
        });
      }
    }
    const cols = Object.entries(record).map(([k, v]) => `${sqlValue(v)} AS ${quoteIdent(k)}`);
    const result = await this.serial(async () => {
      const rel = this.engine.tempName('fs_put');
      await this.engine.exec(`CREATE TEMP TABLE ${quoteIdent(rel)} AS SELECT ${cols.join(', ')}`);
      try {
        return await ingestBatch(this.parts(), this.engine, rel, g, {
          batchId: `put-${randomUUID()}`,
          kind: 'put',
          ttlSeconds: options.ttlSeconds,
          displayName: 'record',
        });
      } finally {
        await this.engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(rel)}`);
      }
    });
    return this.maybeCompact(g, result);
  }

  /**
   * Deletes a record: a deletion row (`is_deleted`) is appended offline and the online record
   * is removed. Returns false (nothing written) when there is no live record with that id.
   */
  async deleteRecord(groupName: string, id: string, options: { eventTime?: string | Date } = {}): Promise<boolean> {
    const g = await this.registry.get(groupName);
    const live = await this.online.get(g.name, String(id));
    if (!live) return false;
    const at = options.eventTime === undefined ? new Date() : new Date(options.eventTime);
    if (Number.isNaN(at.getTime())) {
      throw new SluiceError('EVENT_TIME_INVALID', `event time ${quoteValue(String(options.eventTime))} cannot be read`, {
        location: { field: 'eventTime' },
        hint: 'use ISO 8601, e.g. 2024-05-01T12:00:00Z',
      });
    }
    if (at.getTime() < live.eventTime) {
      throw new SluiceError(
        'DELETE_OUTDATED',
        `the deletion's event time ${at.toISOString()} is older than the record's ${new Date(live.eventTime).toISOString()}`,
        {
          hint: 'delete as of now (leave the event time out) or a time after the record was written',
          httpStatus: 409,
        },
      );
    }
    const idType = g.features.find((f) => f.name === g.recordIdentifier)!.type;
    const idValue = idType === 'integral' ? Number(id) : String(id);
    const result = await this.serial(async () => {
      const rel = this.engine.tempName('fs_del');
      await this.engine.exec(
        `CREATE TEMP TABLE ${quoteIdent(rel)} AS SELECT ${sqlValue(idValue)} AS ${quoteIdent(g.recordIdentifier)}, ${sqlValue(at.toISOString())} AS ${quoteIdent(g.eventTime)}`,
      );
      try {
        return await ingestBatch(this.parts(), this.engine, rel, g, { batchId: `delete-${randomUUID()}`, kind: 'delete', displayName: 'delete' });
      } finally {
        await this.engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(rel)}`);
      }
    });
    await this.maybeCompact(g, result);
    return true;
  }

  /**
   * Runs SQL over the offline store. Each group is a view named after it (full history, with
   * write_time, api_invocation_time, is_deleted) and `<group>_latest` (latest live record per id).
   */
  async query(sql: string): Promise<Row[]> {
    return this.serial(async () => {
      await this.registerViews();
      return this.engine.query(sql);
    });
  }

  /**
   * Builds a point-in-time-correct dataset (see `datasetSql`) and writes it to `out` (CSV or
   * Parquet, atomically) when given. Entities come from a file or a relation of the caller's engine.
   */
  async buildDataset(
    entities: BatchSource,
    options: Omit<DatasetOptions, 'entities'> & { out?: string },
  ): Promise<{ rows: number; columns: string[]; sample: Row[] }> {
    return this.withSource(entities, async (engine, relation) => {
      const sql = await datasetSql(engine, this.registry, this.offline, { ...options, entities: relation });
      const name = engine.tempName('fs_dataset');
      await engine.exec(`CREATE TEMP TABLE ${quoteIdent(name)} AS ${sql}`);
      try {
        if (options.out) await writeTable(engine, `SELECT * FROM ${quoteIdent(name)}`, options.out);
        const columns = (await engine.describe(name)).map((c) => c.name);
        return { rows: await engine.count(name), columns, sample: await engine.query(`SELECT * FROM ${quoteIdent(name)} LIMIT 20`) };
      } finally {
        await engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
      }
    });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.online.close();
    await this.offline.storage.close();
    this.engine.close();
    this.projectDb?.close();
    await this.ownedState?.close();
  }

  private async registerViews(): Promise<void> {
    for (const g of await this.registry.list()) {
      await this.offline.registerViews(
        this.engine,
        g,
        (await this.registry.batches(g.name)).flatMap((b) => b.files),
      );
    }
  }

  private parts() {
    return { registry: this.registry, offline: this.offline, online: this.online };
  }

  /** Runs `fn` on the source's relation: a file is loaded into the store's engine first. */
  private async withSource<T>(source: BatchSource, fn: (engine: Engine, relation: string) => Promise<T>): Promise<T> {
    if ('engine' in source) {
      return this.serial(async () => {
        // Text timestamps with offsets are read as instants; the engine must be in UTC to store them as such.
        await source.engine.exec("SET TimeZone = 'UTC'");
        return fn(source.engine, source.relation);
      });
    }
    return this.serial(async () => {
      const name = this.engine.tempName('fs_src');
      await readTable(this.engine, source.file, { name, ...this.reading });
      try {
        return await fn(this.engine, name);
      } finally {
        await this.engine.exec(`DROP TABLE IF EXISTS ${quoteIdent(name)}`);
      }
    });
  }
}

function specFromColumns(columns: ColumnSchema[], options: CreateFromDataOptions): FeatureGroupSpec {
  const { types, ...rest } = options;
  const spec = groupSpecFromSchema(columns, rest);
  for (const [name, type] of Object.entries(types ?? {})) {
    const f = spec.features.find((x) => x.name.toLowerCase() === name.toLowerCase());
    if (!f)
      throw new SluiceError('FEATURE_UNKNOWN', `a type is given for column ${quoteValue(name)}, which is not in the data`, {
        location: { field: name },
        hint: 'check the column name',
      });
    f.type = type;
  }
  return spec;
}

function toRecord(group: string, e: OnlineEntry | null): FeatureRecord | null {
  if (!e) return null;
  return {
    group,
    id: e.id,
    eventTime: new Date(e.eventTime).toISOString(),
    expiresAt: e.expiresAt === null ? null : new Date(e.expiresAt).toISOString(),
    values: JSON.parse(e.payload) as Record<string, unknown>,
  };
}

/** SHA-256 of a file, streamed (batches can be larger than memory). */
async function batchHash(path: string): Promise<string> {
  try {
    return await sha256File(path);
  } catch (e) {
    throw new SluiceError('FILE_NOT_FOUND', `cannot open ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`, {
      location: { file: path },
      hint: 'check the path; relative paths are resolved from the current directory',
      httpStatus: 404,
    });
  }
}
