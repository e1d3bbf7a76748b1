import { asStateDb } from '../../state/asStateDb.js';
import type { ProjectDb } from '../../state/openProjectDb.js';
import type { StateDb } from '../../state/StateDb.js';
import { migrateAuth } from './authTables.js';

export interface LoginLimits {
  /**
   * Failed logins for one user name from one address before that pair must wait (default 5).
   * Each further failure doubles the wait, from `backoffMs` up to `windowMs`.
   */
  perUserAddress: number;
  /** The first wait of a user name at one address past `perUserAddress` (ms, default 1 minute). */
  backoffMs: number;
  /** Failed logins allowed per client address within the window, whatever the names (default 20: several people may share one address). */
  perIp: number;
  /**
   * Failed logins allowed per user name from all addresses together within the window (default
   * 100: guessing spread over many addresses). Addresses the user signed in from before are exempt.
   */
  perUser: number;
  /** The window (ms, default 15 minutes). */
  windowMs: number;
  /** How long an address the user signed in from stays exempt from `perUser` (ms, default 90 days). */
  knownMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUserAddress: 5,
  backoffMs: 60_000,
  perIp: 20,
  perUser: 100,
  windowMs: 15 * 60_000,
  knownMs: 90 * 86_400_000,
};

/** One counter: a database key and how it limits. */
interface Rule {
  key: string;
  limit: number;
  /** Past the limit: wait doubling with each failure (true), or until the oldest failure leaves the window. */
  backoff: boolean;
}

/**
 * Counts failed logins in the shared state (so a restart does not reset the count and every process
 * of a project shares it), by three keys:
 *
 * - a user name at one address: past 5 failures the pair waits 1, 2, 4, 8, then 15 minutes;
 * - one address, whatever the names: 20 per 15 minutes;
 * - one user name from all addresses: 100 per 15 minutes, except from addresses the user signed
 *   in from before.
 *
 * So a stranger guessing the admin's password locks out only their own address: the admin signs in
 * from theirs. Refused attempts are answered without checking the password.
 */
export class LoginLimiter {
  /** Attempts being checked right now, per key: counted like failures so parallel guesses cannot slip past the limit. */
  private readonly pending = new Map<string, number>();
  private readonly db: StateDb;

  constructor(
    db: StateDb | ProjectDb,
    readonly limits: LoginLimits = DEFAULT_LOGIN_LIMITS,
    private readonly now: () => number = Date.now,
  ) {
    this.db = asStateDb(db);
    void migrateAuth(this.db).catch(() => {});
  }

  private async rules(name: string, ip: string | undefined): Promise<Rule[]> {
    const user = name.toLowerCase();
    if (!ip) return [{ key: `user:${user}`, limit: this.limits.perUserAddress, backoff: true }];
    const rules: Rule[] = [
      { key: `pair:${user}|${ip}`, limit: this.limits.perUserAddress, backoff: true },
      { key: `ip:${ip}`, limit: this.limits.perIp, backoff: false },
    ];
    if (!(await this.isKnown(user, ip))) rules.push({ key: `user:${user}`, limit: this.limits.perUser, backoff: false });
    return rules;
  }

  private async isKnown(user: string, ip: string): Promise<boolean> {
    await migrateAuth(this.db);
    const row = await this.db.one<{ at: number }>('SELECT at FROM auth_login_known WHERE "user" = ? AND ip = ?', [user, ip]);
    return row !== undefined && row.at > this.now() - this.limits.knownMs;
  }

  /** Seconds to wait before another attempt for this name from this address; 0 when allowed. */
  async retryAfter(name: string, ip: string | undefined): Promise<number> {
    const counts = await this.failures(name, ip);
    return this.waitSeconds(counts);
  }

  /**
   * Admits an attempt or says how long to wait. An admitted attempt counts as being checked until
   * `release` is called, so that attempts arriving meanwhile see it (password checks take a tenth
   * of a second each). The check and the mark happen in one tick, after the reads: two parallel
   * attempts cannot both pass on the same count.
   */
  async admit(name: string, ip: string | undefined): Promise<{ retryAfter: number; release: () => void }> {
    const counts = await this.failures(name, ip);
    const retryAfter = this.waitSeconds(counts);
    if (retryAfter > 0) return { retryAfter, release: () => {} };
    const keys = counts.map((c) => c.rule.key);
    for (const k of keys) this.pending.set(k, (this.pending.get(k) ?? 0) + 1);
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      for (const k of keys) {
        const n = (this.pending.get(k) ?? 1) - 1;
        if (n > 0) this.pending.set(k, n);
        else this.pending.delete(k);
      }
    };
    return { retryAfter: 0, release };
  }

  /** The recent failures of each rule, newest first. */
  private async failures(name: string, ip: string | undefined): Promise<Array<{ rule: Rule; rows: Array<{ at: number }> }>> {
    const since = this.now() - this.limits.windowMs;
    const out: Array<{ rule: Rule; rows: Array<{ at: number }> }> = [];
    await migrateAuth(this.db);
    for (const rule of await this.rules(name, ip)) {
      // Enough rows to know the count up to where the backoff stops growing.
      const cap = rule.backoff ? rule.limit + 16 : rule.limit;
      const rows = await this.db.query<{ at: number }>('SELECT at FROM auth_login_failures WHERE key = ? AND at > ? ORDER BY at DESC LIMIT ?', [
        rule.key,
        since,
        cap,
      ]);
      out.push({ rule, rows });
    }
    return out;
  }

  /** The wait the failures and the attempts being checked impose, in seconds. */
  private waitSeconds(counts: ReadonlyArray<{ rule: Rule; rows: ReadonlyArray<{ at: number }> }>): number {
    const t = this.now();
    let waitMs = 0;
    for (const { rule, rows } of counts) {
      const pending = this.pending.get(rule.key) ?? 0;
      if (rows.length < rule.limit) {
        // Full only because of attempts still being checked: their outcome is known within a second.
        if (rows.length + pending >= rule.limit) waitMs = Math.max(waitMs, 1000);
        continue;
      }
      const until = rule.backoff
        ? rows[0]!.at + Math.min(this.limits.backoffMs * 2 ** (rows.length - rule.limit), this.limits.windowMs)
        : rows[rule.limit - 1]!.at + this.limits.windowMs; // the oldest of the last `limit` failures leaves the window
      waitMs = Math.max(waitMs, until - t, pending > 0 ? 1000 : 0);
    }
    return Math.max(Math.ceil(waitMs / 1000), 0);
  }

  async fail(name: string, ip: string | undefined): Promise<void> {
    const t = this.now();
    // Every key is counted, the per-name one too for a known address: it still tells of guessing.
    const keys = new Set([...(await this.rules(name, ip)).map((r) => r.key), `user:${name.toLowerCase()}`]);
    await this.db.transaction(async (tx) => {
      for (const key of keys) await tx.run('INSERT INTO auth_login_failures (key, at) VALUES (?, ?)', [key, t]);
      await tx.run('DELETE FROM auth_login_failures WHERE at <= ?', [t - this.limits.windowMs]);
    });
  }

  /**
   * A good login clears the name's failures at that address and remembers the address as the
   * user's (not the address's count: one user's success says nothing about the others tried from there).
   */
  async succeed(name: string, ip?: string): Promise<void> {
    const user = name.toLowerCase();
    await migrateAuth(this.db);
    await this.db.transaction(async (tx) => {
      await tx.run('DELETE FROM auth_login_failures WHERE key = ?', [ip ? `pair:${user}|${ip}` : `user:${user}`]);
      if (ip)
        await tx.run('INSERT INTO auth_login_known ("user", ip, at) VALUES (?, ?, ?) ON CONFLICT ("user", ip) DO UPDATE SET at = excluded.at', [
          user,
          ip,
          this.now(),
        ]);
    });
  }
}
