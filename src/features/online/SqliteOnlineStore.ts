import type Database from 'better-sqlite3';
import { migrate, type ProjectDb } from '../../state/openProjectDb.js';
import type { OnlineEntry, OnlineKey, OnlinePutResult, OnlineStore, StagedBatch } from './OnlineStore.js';

const MIGRATIONS = [
  `CREATE TABLE online_features (
     group_name TEXT NOT NULL, record_id TEXT NOT NULL, event_time INTEGER NOT NULL,
     expires_at INTEGER, deleted INTEGER NOT NULL, payload TEXT NOT NULL,
     PRIMARY KEY (group_name, record_id)) WITHOUT ROWID`,
  // Staged entries of batches not yet applied (see OnlineStore.stage): readers never look here.
  `CREATE TABLE online_staged_batches (
     stage_id INTEGER PRIMARY KEY, group_name TEXT NOT NULL, batch_id TEXT NOT NULL, staged_at INTEGER NOT NULL,
     UNIQUE (group_name, batch_id));
   CREATE TABLE online_staging (
     stage_id INTEGER NOT NULL, record_id TEXT NOT NULL, event_time INTEGER NOT NULL,
     expires_at INTEGER, deleted INTEGER NOT NULL, payload TEXT NOT NULL);
   CREATE INDEX online_staging_by_stage ON online_staging (stage_id);`,
];

interface Row {
  record_id: string;
  event_time: number;
  expires_at: number | null;
  deleted: number;
  payload: string;
}

/**
 * The embedded online store: one SQLite table (in the project database by default). The
 * older-write rule is part of the upsert statement, so it holds under concurrent writers.
 *
 * Batches are staged in `online_staging` and applied with one `INSERT ... SELECT` upsert. In
 * the project database (the default) the apply and the registry's batch commit are one SQLite
 * transaction: a batch is visible online exactly when it is committed offline. In a separate
 * file (`path`), the registry commit comes first and the apply right after; a crash between them
 * is completed by `FeatureStore.recover`.
 */
export class SqliteOnlineStore implements OnlineStore {
  readonly type = 'sqlite';
  private readonly upsert: Database.Statement;
  private readonly tombstone: Database.Statement;
  private readonly select: Database.Statement;
  private readonly putMany: (group: string, entries: readonly OnlineEntry[], now: number) => OnlinePutResult;
  private readonly stageMany: (group: string, batchId: string, entries: readonly OnlineEntry[], deleted: number, now: number) => void;
  private readonly applyStaged: (group: string, batchId: string, now: number, commit?: () => void) => OnlinePutResult;
  private readonly discardStaged: (group: string, batchId: string) => void;
  readonly commitsWithRegistry: boolean;

  constructor(
    private readonly db: ProjectDb,
    private readonly options: { clock?: () => number; ownsDb?: boolean } = {},
  ) {
    migrate(db, 'features_online', MIGRATIONS);
    const guard = `WHERE excluded.event_time >= online_features.event_time
      OR (online_features.expires_at IS NOT NULL AND online_features.expires_at <= ?)`;
    // Positional parameters: better-sqlite3 binds them faster than named ones (a million rows per ingest).
    this.upsert = db.prepare(`INSERT INTO online_features VALUES (?, ?, ?, ?, 0, ?)
      ON CONFLICT (group_name, record_id) DO UPDATE SET event_time = excluded.event_time, expires_at = excluded.expires_at,
        deleted = 0, payload = excluded.payload ${guard}`);
    this.tombstone = db.prepare(`INSERT INTO online_features VALUES (?, ?, ?, NULL, 1, '')
      ON CONFLICT (group_name, record_id) DO UPDATE SET event_time = excluded.event_time, expires_at = NULL, deleted = 1, payload = '' ${guard}`);
    this.select = db.prepare('SELECT record_id, event_time, expires_at, deleted, payload FROM online_features WHERE group_name = ? AND record_id = ?');
    this.putMany = db.transaction((group: string, entries: readonly OnlineEntry[], now: number) => {
      let written = 0;
      for (const e of entries) {
        written += this.upsert.run(group, e.id, e.eventTime, e.expiresAt, e.payload, now).changes;
      }
      return { written, ignored: entries.length - written };
    });
    this.commitsWithRegistry = !options.ownsDb;
    const stageId = db.prepare('SELECT stage_id FROM online_staged_batches WHERE group_name = ? AND batch_id = ?').pluck();
    const newStage = db.prepare('INSERT INTO online_staged_batches (group_name, batch_id, staged_at) VALUES (?, ?, ?)');
    const stageRow = db.prepare('INSERT INTO online_staging VALUES (?, ?, ?, ?, ?, ?)');
    this.stageMany = db.transaction((group: string, batchId: string, entries: readonly OnlineEntry[], deleted: number, now: number) => {
      let id = stageId.get(group, batchId) as number | undefined;
      if (id === undefined) id = Number(newStage.run(group, batchId, now).lastInsertRowid);
      for (const e of entries) stageRow.run(id, e.id, e.eventTime, deleted ? null : e.expiresAt, deleted, deleted ? '' : e.payload);
    });
    // Rows of one stage are applied in staging order, so of two entries with the same id and event time the later wins, as in put.
    const apply = db.prepare(`INSERT INTO online_features (group_name, record_id, event_time, expires_at, deleted, payload)
      SELECT ?, record_id, event_time, expires_at, deleted, payload FROM online_staging WHERE stage_id = ? ORDER BY rowid
      ON CONFLICT (group_name, record_id) DO UPDATE SET event_time = excluded.event_time, expires_at = excluded.expires_at,
        deleted = excluded.deleted, payload = excluded.payload ${guard}`);
    const countStage = db.prepare('SELECT count(*) FROM online_staging WHERE stage_id = ?').pluck();
    const dropRows = db.prepare('DELETE FROM online_staging WHERE stage_id = ?');
    const dropStage = db.prepare('DELETE FROM online_staged_batches WHERE stage_id = ?');
    this.discardStaged = db.transaction((group: string, batchId: string) => {
      const id = stageId.get(group, batchId) as number | undefined;
      if (id === undefined) return;
      dropRows.run(id);
      dropStage.run(id);
    });
    this.applyStaged = db.transaction((group: string, batchId: string, now: number, commit?: () => void) => {
      commit?.();
      const id = stageId.get(group, batchId) as number | undefined;
      if (id === undefined) return { written: 0, ignored: 0 };
      const total = countStage.get(id) as number;
      const written = apply.run(group, id, now).changes;
      dropRows.run(id);
      dropStage.run(id);
      return { written, ignored: total - written };
    });
  }

  async stage(group: string, batchId: string, entries: readonly OnlineEntry[], options: { deleted?: boolean } = {}): Promise<void> {
    this.stageMany(group, batchId, entries, options.deleted ? 1 : 0, this.now());
  }

  async applyBatch(group: string, batchId: string, commit?: () => void): Promise<OnlinePutResult> {
    if (this.commitsWithRegistry) return this.applyStaged(group, batchId, this.now(), commit);
    // A separate database file: the registry commit is the commit point, the apply follows.
    commit?.();
    return this.applyStaged(group, batchId, this.now());
  }

  async discardBatch(group: string, batchId: string): Promise<void> {
    this.discardStaged(group, batchId);
  }

  async stagedBatches(): Promise<StagedBatch[]> {
    const rows = this.db.prepare('SELECT group_name, batch_id, staged_at FROM online_staged_batches ORDER BY stage_id').all() as Array<{ group_name: string; batch_id: string; staged_at: number }>;
    return rows.map((r) => ({ group: r.group_name, batchId: r.batch_id, stagedAt: r.staged_at }));
  }

  private now(): number {
    return this.options.clock ? this.options.clock() : Date.now();
  }

  private live(r: Row | undefined, now: number): OnlineEntry | null {
    if (!r || r.deleted || (r.expires_at !== null && r.expires_at <= now)) return null;
    return { id: r.record_id, eventTime: r.event_time, expiresAt: r.expires_at, payload: r.payload };
  }

  async put(group: string, entries: readonly OnlineEntry[]): Promise<OnlinePutResult> {
    return this.putMany(group, entries, this.now());
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
    return this.db.transaction(() => {
      const before = this.live(this.select.get(group, id) as Row | undefined, now);
      const changed = this.tombstone.run(group, id, eventTime, now).changes > 0;
      return changed && before !== null;
    })();
  }

  async clearGroup(group: string): Promise<void> {
    this.db.prepare('DELETE FROM online_features WHERE group_name = ?').run(group);
  }

  async close(): Promise<void> {
    if (this.options.ownsDb) this.db.close();
  }
}
