import { asStateDb } from '../../state/asStateDb.js';
import type { ProjectDb } from '../../state/openProjectDb.js';
import type { StateDb } from '../../state/StateDb.js';
import type { AuditEntry } from './AuthGate.js';
import { migrateAuth } from './authTables.js';

export interface AuditQuery {
  limit?: number;
  /** Only entries with an id below this (paging backwards). */
  before?: number;
  actor?: string;
  action?: string;
}

/** Fields longer than this are cut: the log records who did what, it is not a place for documents. */
const MAX_FIELD = 2000;
const cut = (s: string | null | undefined): string | null => (s === null || s === undefined ? null : s.length > MAX_FIELD ? `${s.slice(0, MAX_FIELD)}…` : s);

/** The append-only audit log (`auth_audit`, in the shared state): every decision, model change, login and token change. */
export class AuditLog {
  private readonly db: StateDb;

  constructor(
    db: StateDb | ProjectDb,
    private readonly now: () => number = Date.now,
  ) {
    this.db = asStateDb(db);
    void migrateAuth(this.db).catch(() => {});
  }

  async append(entry: Omit<AuditEntry, 'id' | 'at'>): Promise<AuditEntry> {
    const at = new Date(this.now()).toISOString();
    const row = {
      at,
      actor: cut(entry.actor) ?? '',
      action: cut(entry.action) ?? '',
      target: cut(entry.target) ?? '',
      detail: cut(entry.detail),
      ip: cut(entry.ip),
    };
    await migrateAuth(this.db);
    const r = await this.db.run<{ id: number }>('INSERT INTO auth_audit (at, actor, action, target, detail, ip) VALUES (?, ?, ?, ?, ?, ?) RETURNING id', [
      row.at,
      row.actor,
      row.action,
      row.target,
      row.detail,
      row.ip,
    ]);
    return { id: Number(r.rows[0]!.id), ...row };
  }

  /** Newest first; `action` matches exactly, or a prefix when it ends with `.` (`approval.`). */
  async list(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.before !== undefined) {
      where.push('id < ?');
      args.push(q.before);
    }
    if (q.actor !== undefined) {
      where.push('actor = ?');
      args.push(q.actor);
    }
    if (q.action !== undefined) {
      if (q.action.endsWith('.')) {
        where.push('substr(action, 1, ?) = ?');
        args.push(q.action.length, q.action);
      } else {
        where.push('action = ?');
        args.push(q.action);
      }
    }
    const sql = `SELECT id, at, actor, action, target, detail, ip FROM auth_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    await migrateAuth(this.db);
    return this.db.query<AuditEntry>(sql, [...args, Math.max(1, Math.min(q.limit ?? 100, 10_000))]);
  }
}
