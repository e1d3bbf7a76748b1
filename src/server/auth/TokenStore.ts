import { randomBytes } from 'node:crypto';
import { SluiceError } from '../../core/errors.js';
import { asStateDb } from '../../state/asStateDb.js';
import type { ProjectDb } from '../../state/openProjectDb.js';
import type { StateDb } from '../../state/StateDb.js';
import { migrateAuth } from './authTables.js';
import { hashSecret } from './hashSecret.js';

/** Every API token starts with this, so secret scanners and people recognise one. */
export const TOKEN_PREFIX = 'sluice_';

/** An API token as listed (never the token itself). */
export interface TokenInfo {
  id: string;
  user: string;
  name: string | null;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** What a presented token resolves to. */
export type TokenCheck = { ok: true; token: TokenInfo } | { ok: false; reason: 'unknown' | 'revoked' | 'expired'; token?: TokenInfo };

interface Row {
  id: string;
  user: string;
  name: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
const info = (r: Row): TokenInfo => ({
  id: r.id,
  user: r.user,
  name: r.name,
  createdAt: iso(r.created_at)!,
  expiresAt: iso(r.expires_at),
  lastUsedAt: iso(r.last_used_at),
  revokedAt: iso(r.revoked_at),
});
const COLUMNS = 'id, "user", name, created_at, expires_at, last_used_at, revoked_at';

/**
 * API tokens for the REST API and the CLI against a remote server, in the shared state (SQLite or
 * PostgreSQL). A token is 32 random bytes (256 bits) shown once at creation; the database keeps
 * its SHA-256 hash.
 */
export class TokenStore {
  private readonly db: StateDb;

  constructor(
    db: StateDb | ProjectDb,
    private readonly now: () => number = Date.now,
  ) {
    this.db = asStateDb(db);
    void migrateAuth(this.db).catch(() => {});
  }

  /**
   * Creates a token for `user`, valid until `expiresAt` (ms since the epoch; never when absent).
   * The returned `token` is the only copy.
   */
  async create(user: string, opts: { name?: string | undefined; expiresAt?: number | undefined } = {}): Promise<{ token: string; info: TokenInfo }> {
    if (opts.name !== undefined && opts.name.length > 200) {
      throw new SluiceError('TOKEN_BAD_NAME', 'a token label has at most 200 characters', {
        hint: 'give a short label such as "laptop" or "ci"',
        location: { field: 'name' },
      });
    }
    if (opts.expiresAt !== undefined && !(opts.expiresAt > this.now())) {
      throw new SluiceError('TOKEN_BAD_EXPIRY', 'the expiry is in the past', { hint: 'give a duration such as 90d', location: { field: 'expires' } });
    }
    const id = `tok_${randomBytes(6).toString('hex')}`;
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    await migrateAuth(this.db);
    await this.db.run('INSERT INTO auth_tokens (id, token_hash, "user", name, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)', [
      id,
      hashSecret(token),
      user,
      opts.name ?? null,
      this.now(),
      opts.expiresAt ?? null,
    ]);
    return { token, info: (await this.get(id))! };
  }

  async get(id: string): Promise<TokenInfo | undefined> {
    await migrateAuth(this.db);
    const r = await this.db.one<Row>(`SELECT ${COLUMNS} FROM auth_tokens WHERE id = ?`, [id]);
    return r ? info(r) : undefined;
  }

  /** Every token (or a user's), newest first. */
  async list(opts: { user?: string } = {}): Promise<TokenInfo[]> {
    await migrateAuth(this.db);
    const rows =
      opts.user === undefined
        ? await this.db.query<Row>(`SELECT ${COLUMNS} FROM auth_tokens ORDER BY created_at DESC, id`)
        : await this.db.query<Row>(`SELECT ${COLUMNS} FROM auth_tokens WHERE LOWER("user") = LOWER(?) ORDER BY created_at DESC, id`, [opts.user]);
    return rows.map(info);
  }

  /** Revokes a token by id: it stops working at once. Revoking twice is an error that says so. */
  async revoke(id: string): Promise<TokenInfo> {
    const before = await this.get(id);
    if (!before) throw new SluiceError('TOKEN_NOT_FOUND', `no API token ${id}`, { httpStatus: 404, hint: 'list the tokens with `sluice tokens list`' });
    if (before.revokedAt)
      throw new SluiceError('TOKEN_ALREADY_REVOKED', `API token ${id} was already revoked at ${before.revokedAt}`, { httpStatus: 409, hint: 'nothing to do' });
    await this.db.run('UPDATE auth_tokens SET revoked_at = ? WHERE id = ?', [this.now(), id]);
    return (await this.get(id))!;
  }

  /** Resolves a presented token; a good one has its last use recorded. */
  async check(token: string): Promise<TokenCheck> {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return { ok: false, reason: 'unknown' };
    await migrateAuth(this.db);
    const r = await this.db.one<Row>(`SELECT ${COLUMNS} FROM auth_tokens WHERE token_hash = ?`, [hashSecret(token)]);
    if (!r) return { ok: false, reason: 'unknown' };
    if (r.revoked_at !== null) return { ok: false, reason: 'revoked', token: info(r) };
    const t = this.now();
    if (r.expires_at !== null && r.expires_at <= t) return { ok: false, reason: 'expired', token: info(r) };
    if (r.last_used_at === null || t - r.last_used_at > 60_000) await this.db.run('UPDATE auth_tokens SET last_used_at = ? WHERE id = ?', [t, r.id]);
    return { ok: true, token: info({ ...r, last_used_at: t }) };
  }
}
