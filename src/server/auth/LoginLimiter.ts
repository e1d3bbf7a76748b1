import type { ProjectDb } from '../../state/openProjectDb.js';
import { migrateAuth } from './authTables.js';

export interface LoginLimits {
  /** Failed logins allowed per user name within the window (default 5). */
  perUser: number;
  /** Failed logins allowed per client address within the window (default 20: several people may share one address). */
  perIp: number;
  /** The window (ms, default 15 minutes). */
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = { perUser: 5, perIp: 20, windowMs: 15 * 60_000 };

/**
 * Counts failed logins per user name and per client address in the database (so a restart does
 * not reset the count and every process of a project shares it). Past a limit, logins for that
 * name or from that address are refused without checking the password until the window has passed.
 */
export class LoginLimiter {
  /** Attempts being checked right now, per key: counted like failures so parallel guesses cannot slip past the limit. */
  private readonly pending = new Map<string, number>();

  constructor(private readonly db: ProjectDb, readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS, private readonly now: () => number = Date.now) {
    migrateAuth(db);
  }

  private keys(name: string, ip: string | undefined): Array<[string, number]> {
    const keys: Array<[string, number]> = [[`user:${name.toLowerCase()}`, this.limits.perUser]];
    if (ip) keys.push([`ip:${ip}`, this.limits.perIp]);
    return keys;
  }

  /** Seconds to wait before another attempt for this name or from this address; 0 when allowed. */
  retryAfter(name: string, ip: string | undefined): number {
    const since = this.now() - this.limits.windowMs;
    let wait = 0;
    for (const [key, limit] of this.keys(name, ip)) {
      const rows = this.db.prepare('SELECT at FROM auth_login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?').all(key, since, limit) as Array<{ at: number }>;
      const pending = this.pending.get(key) ?? 0;
      if (rows.length < limit && rows.length + pending >= limit) {
        // Full only because of attempts still being checked: their outcome is known within a second.
        wait = Math.max(wait, 1);
      } else if (rows.length >= limit) {
        // Allowed again once the oldest of the last `limit` failures leaves the window.
        const oldest = rows[rows.length - 1]!.at;
        wait = Math.max(wait, Math.ceil((oldest + this.limits.windowMs - this.now()) / 1000));
      }
    }
    return Math.max(wait, 0);
  }

  /**
   * Marks an attempt as being checked until the returned function is called, so that attempts
   * arriving meanwhile see it (password checks take a tenth of a second each).
   */
  begin(name: string, ip: string | undefined): () => void {
    const keys = this.keys(name, ip).map(([k]) => k);
    for (const k of keys) this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      for (const k of keys) {
        const n = (this.pending.get(k) ?? 1) - 1;
        if (n > 0) this.pending.set(k, n);
        else this.pending.delete(k);
      }
    };
  }

  fail(name: string, ip: string | undefined): void {
    const t = this.now();
    const insert = this.db.prepare('INSERT INTO auth_login_failures (key, at) VALUES (?, ?)');
    this.db.transaction(() => {
      for (const [key] of this.keys(name, ip)) insert.run(key, t);
      this.db.prepare('DELETE FROM auth_login_failures WHERE at <= ?').run(t - this.limits.windowMs);
    })();
  }

  /** A good login clears the name's failures (not the address's: one user's success says nothing about the others tried from there). */
  succeed(name: string): void {
    this.db.prepare('DELETE FROM auth_login_failures WHERE key = ?').run(`user:${name.toLowerCase()}`);
  }
}
