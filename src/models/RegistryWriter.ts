import type { ProjectDb } from '../state/openProjectDb.js';
import type { RegistryReader } from './RegistryReader.js';
import { refreshManifests } from './syncManifests.js';
import type { ModelHistoryEntry } from './types.js';

/**
 * How every registry change is made: one immediate (write-locking) transaction that also
 * appends to `model_history` for each change, then the touched versions' manifests are
 * rewritten and listeners told, after the commit and never for rolled-back changes. The
 * operations (registerVersion.ts, versionStatus.ts, moveAlias.ts, rollbackChampion.ts,
 * deployVersion.ts, deleteVersion.ts, recoverRegistry.ts) take this writer.
 */
export class RegistryWriter {
  private readonly listeners = new Set<(e: ModelHistoryEntry) => void>();
  private pending: ModelHistoryEntry[] = [];

  constructor(
    readonly db: ProjectDb,
    readonly modelsDir: string,
    readonly read: RegistryReader,
  ) {}

  /** Calls `fn` after every recorded change (in this process); returns the unsubscribe function. */
  onChange(fn: (e: ModelHistoryEntry) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Appends a change to `model_history` (inside {@link tx}). */
  record(e: Omit<ModelHistoryEntry, 'id'>): void {
    const info = this.db
      .prepare('INSERT INTO model_history (name, version, kind, alias, from_value, to_value, by, at, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(e.name, e.version, e.kind, e.alias, e.from, e.to, e.by, e.at, e.comment);
    this.pending.push({ id: Number(info.lastInsertRowid), ...e });
  }

  /** Runs `fn` in an immediate transaction, then refreshes manifests and notifies listeners of what it recorded. */
  tx<T>(fn: () => T): T {
    this.pending = [];
    let out: T;
    try {
      out = this.db.transaction(fn).immediate();
    } catch (e) {
      this.pending = [];
      throw e;
    }
    const events = this.pending;
    this.pending = [];
    refreshManifests(this.db, this.modelsDir, events);
    for (const e of events) for (const l of this.listeners) l(e);
    return out;
  }
}
