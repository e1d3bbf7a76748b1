import type { StateDb } from '../state/StateDb.js';
import { RegistryReader } from './RegistryReader.js';
import { refreshManifests } from './syncManifests.js';
import type { ModelHistoryEntry } from './types.js';

/**
 * How every registry change is made: one transaction of the shared state that also appends to
 * `model_history` for each change, then the touched versions' manifests are rewritten and
 * listeners told, after the commit and never for rolled-back changes. The operations
 * (registerVersion.ts, versionStatus.ts, moveAlias.ts, rollbackChampion.ts, deployVersion.ts,
 * deleteVersion.ts, recoverRegistry.ts) take this writer, and inside {@link tx} the writer it
 * passes, whose `db` and `read` are inside the transaction.
 *
 * Registry writers take turns: SQLite's write lock (BEGIN IMMEDIATE), and on PostgreSQL a lock on
 * `model_names` taken before the transaction reads anything (so its snapshot sees what the
 * previous writer committed). That is what lets a register rename its folder into place inside
 * the transaction, and `models gc` trust that a folder without a row really has none.
 */
export class RegistryWriter {
  private readonly listeners: Set<(e: ModelHistoryEntry) => void>;
  private pending: ModelHistoryEntry[] = [];

  constructor(
    readonly db: StateDb,
    readonly modelsDir: string,
    readonly read: RegistryReader,
    listeners?: Set<(e: ModelHistoryEntry) => void>,
  ) {
    this.listeners = listeners ?? new Set();
  }

  /** Calls `fn` after every recorded change (in this process); returns the unsubscribe function. */
  onChange(fn: (e: ModelHistoryEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Appends a change to `model_history` (on the writer {@link tx} passes). */
  async record(e: Omit<ModelHistoryEntry, 'id'>): Promise<void> {
    const r = await this.db.run<{ id: number }>(
      'INSERT INTO model_history (name, version, kind, alias, from_value, to_value, "by", at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
      [e.name, e.version, e.kind, e.alias, e.from, e.to, e.by, e.at, e.comment],
    );
    this.pending.push({ id: Number(r.rows[0]!.id), ...e });
  }

  /**
   * Runs `fn` in one write transaction with a writer inside it, then refreshes manifests and
   * notifies listeners of what it recorded. On PostgreSQL `fn` may run again (a conflict): it
   * must undo its own file moves when it fails (registerVersion does).
   */
  async tx<T>(fn: (w: RegistryWriter) => Promise<T>): Promise<T> {
    let inner: RegistryWriter | undefined;
    const out = await this.db.transaction(async (tx) => {
      if (tx.dialect === 'postgres') await tx.exec('LOCK TABLE model_names IN SHARE ROW EXCLUSIVE MODE');
      inner = new RegistryWriter(tx, this.modelsDir, new RegistryReader(tx, this.modelsDir), this.listeners);
      return fn(inner);
    });
    const events = inner?.pending ?? [];
    await refreshManifests(this.db, this.modelsDir, events);
    for (const e of events) for (const l of this.listeners) l(e);
    return out;
  }
}
