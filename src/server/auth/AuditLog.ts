import type { ProjectDb } from '../../state/openProjectDb.js';
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

/** The append-only audit log (`auth_audit`): every decision, model change, login and token change. */
export class AuditLog {
  constructor(
    private readonly db: ProjectDb,
    private readonly now: () => number = Date.now,
  ) {
    migrateAuth(db);
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
    const r = this.db.prepare('INSERT INTO auth_audit (at, actor, action, target, detail, ip) VALUES (@at, @actor, @action, @target, @detail, @ip)').run(row);
    return { id: Number(r.lastInsertRowid), ...row };
  }

  /** Newest first; `action` matches exactly, or a prefix when it ends with `.` (`approval.`). */
  async list(q: AuditQuery = {}): Promise<AuditEntry[]> {
    const where: string[] = [];
    const args: Record<string, unknown> = { limit: Math.max(1, Math.min(q.limit ?? 100, 10_000)) };
    if (q.before !== undefined) {
      where.push('id < @before');
      args.before = q.before;
    }
    if (q.actor !== undefined) {
      where.push('actor = @actor');
      args.actor = q.actor;
    }
    if (q.action !== undefined) {
      if (q.action.endsWith('.')) {
        where.push('substr(action, 1, length(@action)) = @action');
      } else where.push('action = @action');
      args.action = q.action;
    }
    const sql = `SELECT id, at, actor, action, target, detail, ip FROM auth_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT @limit`;
    return this.db.prepare(sql).all(args) as AuditEntry[];
  }
}
