import { randomBytes } from 'node:crypto';
import { asStateDb } from '../../state/asStateDb.js';
import type { ProjectDb } from '../../state/openProjectDb.js';
import type { StateDb } from '../../state/StateDb.js';
import { migrateAuth } from './authTables.js';
import { hashSecret } from './hashSecret.js';

export interface SessionLimits {
  /** A session unused for this long ends (ms, default 12 hours). */
  idleMs: number;
  /** A session ends this long after login whatever happens (ms, default 7 days). */
  absoluteMs: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 12 * 3_600_000, absoluteMs: 7 * 86_400_000 };

/** A live session, as found by its id. */
export interface Session {
  /** SHA-256 of the session id: what CSRF tokens are bound to. */
  idHash: string;
  user: string;
  createdAt: number;
  lastSeenAt: number;
}

interface Row {
  id_hash: string;
  user: string;
  created_at: number;
  last_seen_at: number;
}

/** Refreshing `last_seen_at` on every request would write on every read; once a minute is precise enough for idle expiry. */
const TOUCH_EVERY_MS = 60_000;

/**
 * Login sessions in the shared state (SQLite or PostgreSQL). The session id (24 random bytes)
 * only ever lives in the user's cookie; the table keeps its hash, so reading the database does
 * not let anyone in. The tables are migrated before the first statement.
 */
export class SessionStore {
  private readonly db: StateDb;

  constructor(
    db: StateDb | ProjectDb,
    readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.db = asStateDb(db);
    void migrateAuth(this.db).catch(() => {});
  }

  /** Starts a session for `user`; returns the session id to put (signed) in the cookie. */
  async create(user: string, info: { ip?: string | undefined; userAgent?: string | undefined } = {}): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    const t = this.now();
    await this.purgeExpired();
    await this.db.run('INSERT INTO auth_sessions (id_hash, "user", created_at, last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?)', [
      hashSecret(id),
      user,
      t,
      t,
      info.ip ?? null,
      info.userAgent?.slice(0, 300) ?? null,
    ]);
    return id;
  }

  /** The live session with this id (its idle clock restarted), or undefined; an expired one is deleted. */
  async lookup(id: string): Promise<Session | undefined> {
    const idHash = hashSecret(id);
    await migrateAuth(this.db);
    const row = await this.db.one<Row>('SELECT id_hash, "user", created_at, last_seen_at FROM auth_sessions WHERE id_hash = ?', [idHash]);
    if (!row) return undefined;
    const t = this.now();
    if (t - row.last_seen_at > this.limits.idleMs || t - row.created_at > this.limits.absoluteMs) {
      await this.db.run('DELETE FROM auth_sessions WHERE id_hash = ?', [idHash]);
      return undefined;
    }
    if (t - row.last_seen_at > TOUCH_EVERY_MS) await this.db.run('UPDATE auth_sessions SET last_seen_at = ? WHERE id_hash = ?', [t, idHash]);
    return { idHash, user: row.user, createdAt: row.created_at, lastSeenAt: Math.max(row.last_seen_at, t) };
  }

  /** Ends one session (logout). */
  async delete(id: string): Promise<boolean> {
    await migrateAuth(this.db);
    return (await this.db.run('DELETE FROM auth_sessions WHERE id_hash = ?', [hashSecret(id)])).changes > 0;
  }

  /** Ends every session of a user (password changed, user removed); returns how many. */
  async deleteUser(user: string): Promise<number> {
    await migrateAuth(this.db);
    return (await this.db.run('DELETE FROM auth_sessions WHERE LOWER("user") = LOWER(?)', [user])).changes;
  }

  /** Deletes sessions past either limit. */
  async purgeExpired(): Promise<number> {
    const t = this.now();
    await migrateAuth(this.db);
    return (await this.db.run('DELETE FROM auth_sessions WHERE last_seen_at < ? OR created_at < ?', [t - this.limits.idleMs, t - this.limits.absoluteMs]))
      .changes;
  }

  /** How many sessions a user has open. */
  async count(user: string): Promise<number> {
    await migrateAuth(this.db);
    return (await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM auth_sessions WHERE LOWER("user") = LOWER(?)', [user]))?.n ?? 0;
  }
}
