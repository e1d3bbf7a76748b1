import Database from 'better-sqlite3';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { SluiceError } from '../core/errors.js';
import { stateEvidence } from './stateEvidence.js';

export type ProjectDb = Database.Database;

export interface OpenProjectDbOptions {
  /**
   * Folders outside the state folder whose files also mean the project has state (the inbox
   * archive). A project database (`sluice.db`) that is missing or empty beside existing state is
   * refused (STATE_MISSING) unless `allowMissingState`.
   */
  evidenceDirs?: readonly string[];
  /** Open a missing or empty project database even beside existing state (`sluice models recover`). */
  allowMissingState?: boolean;
}

const RESTORE_HINT =
  'restore it from a backup with "sluice restore BACKUP_DIR", or rebuild the model registry with "sluice models recover" (docs/operations.md)';

/**
 * Opens the project's SQLite database (`.sluice/sluice.db` by default) in WAL mode, so readers
 * never block the writer and a crash never corrupts committed state. Each module (pipeline,
 * features, models, ...) brings its own tables through {@link migrate}.
 *
 * Checked on open, so no command works on lost or damaged state: a file that is not a database
 * or fails `PRAGMA quick_check` is STATE_CORRUPT, and a project database (`sluice.db`) that is
 * missing or empty while model folders, offline files, reports or archived files exist is
 * STATE_MISSING. Both errors name the file and say how to restore it.
 *
 * @example
 * const db = openProjectDb('.sluice/sluice.db');
 * migrate(db, 'features', [`CREATE TABLE feature_groups (...)`]);
 */
export function openProjectDb(path: string, options: OpenProjectDbOptions = {}): ProjectDb {
  if (path === ':memory:') return prepare(new Database(path));
  const guarded = basename(path) === 'sluice.db' && !options.allowMissingState;
  const size = existsSync(path) ? statSync(path).size : -1;
  if (guarded && size <= 0) refuseIfStateExists(path, size < 0 ? 'missing' : 'empty (0 bytes)', options);
  mkdirSync(dirname(path), { recursive: true });
  let db: ProjectDb | undefined;
  try {
    db = new Database(path);
    if (size > 0) checkIntegrity(db, path);
    if (guarded && size > 0 && (db.prepare('SELECT count(*) AS n FROM sqlite_master').get() as { n: number }).n === 0) {
      db.close();
      db = undefined;
      refuseIfStateExists(path, 'empty (no tables)', options);
      db = new Database(path);
    }
    return prepare(db);
  } catch (e) {
    db?.close();
    throw asStateError(e, path);
  }
}

function prepare(db: ProjectDb): ProjectDb {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (module, version))`);
  return db;
}

/** Files checked in this process, by path, with the size and time they had: checked once. */
const checked = new Map<string, string>();

function checkIntegrity(db: ProjectDb, path: string): void {
  const st = statSync(path);
  const key = `${st.size}:${st.mtimeMs}`;
  if (checked.get(path) === key) return;
  const result = db.pragma('quick_check', { simple: true }) as string;
  if (result !== 'ok') {
    throw new SluiceError('STATE_CORRUPT', `the state database ${path} is damaged: quick_check says "${String(result).slice(0, 200)}"`, {
      location: { file: path },
      hint: `keep the damaged file for inspection and ${RESTORE_HINT}`,
      httpStatus: 500,
    });
  }
  checked.set(path, key);
}

function refuseIfStateExists(path: string, what: string, options: OpenProjectDbOptions): void {
  const evidence = stateEvidence(dirname(path), options.evidenceDirs ?? []);
  if (evidence.length === 0) return;
  throw new SluiceError('STATE_MISSING', `the state database ${path} is ${what}, but the project has state beside it (${evidence.join(', ')})`, {
    location: { file: path },
    hint: `nothing was changed or deleted; ${RESTORE_HINT}`,
    httpStatus: 500,
  });
}

/** A SQLite failure at open as an error naming the file (never "a bug in Sluice"). */
function asStateError(e: unknown, path: string): unknown {
  if (e instanceof SluiceError) return e;
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('SQLITE_')) {
    return new SluiceError('STATE_CORRUPT', `cannot open the state database ${path}: ${(e as Error).message} (${code})`, {
      location: { file: path },
      hint:
        code === 'SQLITE_CANTOPEN' || code === 'SQLITE_READONLY' || code === 'SQLITE_PERM'
          ? 'check that the folder exists and that this user may read and write it'
          : `keep the damaged file for inspection and ${RESTORE_HINT}`,
      httpStatus: 500,
      cause: e,
    });
  }
  return e;
}

/**
 * Applies a module's migrations in order, each once, each in a transaction. Migrations are
 * append-only: never edit one that has shipped, add a new one. A database migrated by a newer
 * Sluice (a version this one does not know) is refused (STATE_TOO_NEW) rather than misread.
 */
export function migrate(db: ProjectDb, module: string, migrations: readonly string[]): void {
  const done = new Set((db.prepare('SELECT version FROM schema_migrations WHERE module = ?').all(module) as Array<{ version: number }>).map((r) => r.version));
  const newest = Math.max(0, ...done);
  if (newest > migrations.length) {
    throw new SluiceError(
      'STATE_TOO_NEW',
      `the state database ${db.name} has ${module} schema version ${newest}; this Sluice knows up to ${migrations.length}`,
      {
        location: { file: db.name },
        hint: 'it was written by a newer Sluice: run that version, or restore a backup made with this one (docs/operations.md)',
        httpStatus: 500,
      },
    );
  }
  const applied = db.prepare('SELECT 1 FROM schema_migrations WHERE module = ? AND version = ?');
  migrations.forEach((sql, i) => {
    const version = i + 1;
    if (done.has(version)) return;
    // IMMEDIATE, and checked again inside: processes opening the database together (the
    // endpoint's workers) apply each migration once, the others wait and find it done.
    db.transaction(() => {
      if (applied.get(module, version)) return;
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)').run(module, version, new Date().toISOString());
    }).immediate();
  });
}
