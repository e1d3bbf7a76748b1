import type Database from 'better-sqlite3';
import { asStateDb } from '../../state/asStateDb.js';
import { migrate, type ProjectDb } from '../../state/openProjectDb.js';
import type { StateDb } from '../../state/StateDb.js';
import type { OnlineEntry, OnlineKey, OnlinePutResult, OnlineStore, StagedBatch } from './OnlineStore.js';

/** The SQLite online store's tables. Append-only: add migrations, never edit one. */
export const ONLINE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE online_features (
     group_name TEXT NOT NULL, record_id TEXT NOT NULL, event_time INTEGER NOT NULL,
     expires_at INTEGER, deleted INTEGER NOT NULL, payload TEXT NOT NULL,
     PRIMARY KEY (group_name, record_id)) WITHOUT ROWID`,
  // Batches in flight; each has its own table online_stage_<stage_id> (see stageTable). AUTOINCREMENT: a stage id, and so a table name, is never reused.
  `CREATE TABLE online_staged_batches (
     stage_id INTEGER PRIMARY KEY AUTOINCREMENT, group_name TEXT NOT NULL, batch_id TEXT NOT NULL, staged_at INTEGER NOT NULL,
     entries INTEGER NOT NULL DEFAULT 0,
     UNIQUE (group_name, batch_id));`,
];

interface Row {
  record_id: string;
  event_time: number;
  expires_at: number | null;
  deleted: number;
  payload: string;
}

/** The staging table of a batch: an integer name, so it is safe to splice. */
function stageTable(stageId: number): string {
  return `online_stage_${Math.trunc(stageId)}`;
}

/**
 * The embedded online store: one SQLite table (in the project database by default). The
 * older-write rule is part of the upsert statement, so it holds under concurrent writers.
 *
 * A batch is staged in its own table (`online_stage_<n>`, never read by readers) and applied
 * with one `INSERT ... SELECT` upsert. In the project database (the default) the apply and the
 * registry's batch commit are one SQLite transaction: a batch is visible online exactly when it
 * is committed offline. In a separate file (`path`), the registry commit comes first and the
 * apply right after; a crash between them is completed by `FeatureStore.recover`. The staging
 * table is dropped after the commit, outside it (dropping is cheaper than deleting rows, and
 * keeps the commit, which holds SQLite's write lock, short); a table left by a crash there
 * belongs to no staged batch and is dropped when the store is next opened.
 *
 * Writes hold the connection's StateDb lock (`asStateDb`): the feature registry shares this
 * connection with SQLite state, and its transactions are async, so a write of this store must
 * neither land inside one of them nor let one of them in.
 */
export class SqliteOnlineStore implements OnlineStore {
  readonly type = 'sqlite';
  readonly commitsWithRegistry: boolean;
  private readonly upsert: Database.Statement;
  private readonly tombstone: Database.Statement;
  private readonly select: Database.Statement;
  private readonly guard: string;
  private readonly putMany: (group: string, entries: readonly OnlineEntry[], now: number) => OnlinePutResult;
  private readonly state: StateDb;

  /**
   * @param options.ownsDb close `db` with the store (its own file).
   * @param options.commitsWithRegistry the feature registry is in `db` too (SQLite state, the
   *   embedded default): a batch's registry commit and its apply are one transaction. Default:
   *   true unless `ownsDb`.
   */
  constructor(
    private readonly db: ProjectDb,
    private readonly options: { clock?: () => number; ownsDb?: boolean; commitsWithRegistry?: boolean } = {},
  ) {
    migrate(db, 'features_online', ONLINE_MIGRATIONS);
    this.state = asStateDb(db);
    this.commitsWithRegistry = options.commitsWithRegistry ?? !options.ownsDb;
    this.guard = `WHERE excluded.event_time >= online_features.event_time
      OR (online_features.expires_at IS NOT NULL AND online_features.expires_at <= ?)`;
    // Positional parameters: better-sqlite3 binds them faster than named ones (a million rows per ingest).
    this.upsert = db.prepare(`INSERT INTO online_features VALUES (?, ?, ?, ?, 0, ?)
      ON CONFLICT (group_name, record_id) DO UPDATE SET event_time = excluded.event_time, expires_at = excluded.expires_at,
        deleted = 0, payload = excluded.payload ${this.guard}`);
    this.tombstone = db.prepare(`INSERT INTO online_features VALUES (?, ?, ?, NULL, 1, '')
      ON CONFLICT (group_name, record_id) DO UPDATE SET event_time = excluded.event_time, expires_at = NULL, deleted = 1, payload = '' ${this.guard}`);
    this.select = db.prepare('SELECT record_id, event_time, expires_at, deleted, payload FROM online_features WHERE group_name = ? AND record_id = ?');
    this.putMany = db.transaction((group: string, entries: readonly OnlineEntry[], now: number) => {
      let written = 0;
      for (const e of entries) {
        written += this.upsert.run(group, e.id, e.eventTime, e.expiresAt, e.payload, now).changes;
      }
      return { written, ignored: entries.length - written };
    });
    this.dropOrphanStages();
  }

  private now(): number {
    return this.options.clock ? this.options.clock() : Date.now();
  }

  private live(r: Row | undefined, now: number): OnlineEntry | null {
    if (!r || r.deleted || (r.expires_at !== null && r.expires_at <= now)) return null;
    return { id: r.record_id, eventTime: r.event_time, expiresAt: r.expires_at, payload: r.payload };
  }

  /** Runs a synchronous write inside the connection's StateDb lock (see the class comment). */
  private write<T>(fn: () => T): Promise<T> {
    return this.state.transaction(async () => fn());
  }

  async put(group: string, entries: readonly OnlineEntry[]): Promise<OnlinePutResult> {
    return this.write(() => this.putMany(group, entries, this.now()));
  }

  async get(group: string, id: string): Promise<OnlineEntry | null> {
    return this.live(this.select.get(group, id) as Row | undefined, this.now());
  }

  async batchGet(keys: readonly OnlineKey[]): Promise<Array<OnlineEntry | null>> {
    const now = this.now();
    return keys.map((k) => this.live(this.select.get(k.group, k.id) as Row | undefined, now));
  }

  async delete(group: string, id: string, eventTime: number): Promise<boolean> {
    const now = this.now();
    return this.write(() => {
      const before = this.live(this.select.get(group, id) as Row | undefined, now);
      const changed = this.tombstone.run(group, id, eventTime, now).changes > 0;
      return changed && before !== null;
    });
  }

  private stageId(group: string, batchId: string): number | undefined {
    return this.db.prepare('SELECT stage_id FROM online_staged_batches WHERE group_name = ? AND batch_id = ?').pluck().get(group, batchId) as
      | number
      | undefined;
  }

  async stage(group: string, batchId: string, entries: readonly OnlineEntry[], options: { deleted?: boolean } = {}): Promise<void> {
    const deleted = options.deleted ? 1 : 0;
    await this.write(() => {
      let id = this.stageId(group, batchId);
      if (id === undefined) {
        id = Number(
          this.db.prepare('INSERT INTO online_staged_batches (group_name, batch_id, staged_at) VALUES (?, ?, ?)').run(group, batchId, this.now())
            .lastInsertRowid,
        );
        this.db.exec(`DROP TABLE IF EXISTS ${stageTable(id)}`);
        this.db.exec(`CREATE TABLE ${stageTable(id)} (
          record_id TEXT NOT NULL, event_time INTEGER NOT NULL, expires_at INTEGER, deleted INTEGER NOT NULL, payload TEXT NOT NULL)`);
      }
      const ins = this.db.prepare(`INSERT INTO ${stageTable(id)} VALUES (?, ?, ?, ?, ?)`);
      for (const e of entries) ins.run(e.id, e.eventTime, deleted ? null : e.expiresAt, deleted, deleted ? '' : e.payload);
      this.db.prepare('UPDATE online_staged_batches SET entries = entries + ? WHERE stage_id = ?').run(entries.length, id);
    });
  }

  async applyBatch(group: string, batchId: string, commit?: (tx?: StateDb) => Promise<void> | void): Promise<OnlinePutResult> {
    // A separate database file (or the registry on PostgreSQL): the registry commit is the commit point, the apply follows.
    if (!this.commitsWithRegistry) await commit?.();
    let applied: number | undefined;
    const result = await this.state.transaction(async (tx): Promise<OnlinePutResult> => {
      if (this.commitsWithRegistry) await commit?.(tx);
      const id = this.stageId(group, batchId);
      if (id === undefined) return { written: 0, ignored: 0 };
      const total = this.db.prepare('SELECT entries FROM online_staged_batches WHERE stage_id = ?').pluck().get(id) as number;
      // Staging order, so of two entries with the same id and event time the later wins, as in put.
      const written = this.db
        .prepare(`INSERT INTO online_features (group_name, record_id, event_time, expires_at, deleted, payload)
          SELECT ?, record_id, event_time, expires_at, deleted, payload FROM ${stageTable(id)} WHERE true ORDER BY rowid
          ON CONFLICT (group_name, record_id) DO UPDATE SET event_time = excluded.event_time, expires_at = excluded.expires_at,
            deleted = excluded.deleted, payload = excluded.payload ${this.guard}`)
        .run(group, this.now()).changes;
      this.db.prepare('DELETE FROM online_staged_batches WHERE stage_id = ?').run(id);
      applied = id;
      return { written, ignored: total - written };
    });
    if (applied !== undefined) await this.state.exec(`DROP TABLE IF EXISTS ${stageTable(applied)}`);
    return result;
  }

  async discardBatch(group: string, batchId: string): Promise<void> {
    const id = this.stageId(group, batchId);
    if (id === undefined) return;
    await this.write(() => {
      this.db.prepare('DELETE FROM online_staged_batches WHERE stage_id = ?').run(id);
      this.db.exec(`DROP TABLE IF EXISTS ${stageTable(id)}`);
    });
  }

  async stagedBatches(): Promise<StagedBatch[]> {
    const rows = this.db.prepare('SELECT group_name, batch_id, staged_at FROM online_staged_batches ORDER BY stage_id').all() as Array<{
      group_name: string;
      batch_id: string;
      staged_at: number;
    }>;
    return rows.map((r) => ({ group: r.group_name, batchId: r.batch_id, stagedAt: r.staged_at }));
  }

  /** Drops staging tables whose batch was applied or discarded (a crash right after the commit leaves one). */
  private dropOrphanStages(): void {
    const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'online_stage_[0-9]*'").pluck().all() as string[];
    const live = new Set((this.db.prepare('SELECT stage_id FROM online_staged_batches').pluck().all() as number[]).map(stageTable));
    for (const t of tables) if (!live.has(t)) this.db.exec(`DROP TABLE IF EXISTS ${t}`);
  }

  async clearGroup(group: string): Promise<void> {
    await this.write(() => this.db.prepare('DELETE FROM online_features WHERE group_name = ?').run(group));
  }

  async close(): Promise<void> {
    if (this.options.ownsDb) this.db.close();
  }
}
