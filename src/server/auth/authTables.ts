import { migrate, type ProjectDb } from '../../state/openProjectDb.js';

/**
 * The authentication tables in the project database. Secrets are never stored: sessions and API
 * tokens are kept as SHA-256 hashes of random values, so a copy of the database signs in nobody.
 */
export function migrateAuth(db: ProjectDb): void {
  migrate(db, 'auth', AUTH_MIGRATIONS);
}

/** The authentication tables' migrations. Append-only: add migrations, never edit one. */
export const AUTH_MIGRATIONS: readonly string[] = [
  `CREATE TABLE auth_sessions (
       id_hash TEXT PRIMARY KEY,
       user TEXT NOT NULL,
       created_at INTEGER NOT NULL,
       last_seen_at INTEGER NOT NULL,
       ip TEXT,
       user_agent TEXT);
     CREATE INDEX auth_sessions_user ON auth_sessions(user);
     CREATE TABLE auth_tokens (
       id TEXT PRIMARY KEY,
       token_hash TEXT NOT NULL UNIQUE,
       user TEXT NOT NULL,
       name TEXT,
       created_at INTEGER NOT NULL,
       expires_at INTEGER,
       last_used_at INTEGER,
       revoked_at INTEGER);
     CREATE TABLE auth_audit (
       id INTEGER PRIMARY KEY AUTOINCREMENT,
       at TEXT NOT NULL,
       actor TEXT NOT NULL,
       action TEXT NOT NULL,
       target TEXT NOT NULL,
       detail TEXT,
       ip TEXT);
     CREATE INDEX auth_audit_actor ON auth_audit(actor, id);
     CREATE INDEX auth_audit_action ON auth_audit(action, id);
     CREATE TABLE auth_login_failures (key TEXT NOT NULL, at INTEGER NOT NULL);
     CREATE INDEX auth_login_failures_key ON auth_login_failures(key, at);`,
  // Addresses a user signed in from: exempt from the per-name limit, so guesses from elsewhere cannot lock the user out there.
  `CREATE TABLE auth_login_known (user TEXT NOT NULL, ip TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (user, ip));`,
];
