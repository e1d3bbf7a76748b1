import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type ProjectDb = Database.Database;

/**
 * Opens the project's SQLite database (`.sluice/sluice.db` by default) in WAL mode, so readers
 * never block the writer and a crash never corrupts committed state. Each module (pipeline,
 * features, models, ...) brings its own tables through {@link migrate}.
 *
 * @example
 * const db = openProjectDb('.sluice/sluice.db');
 * migrate(db, 'features', [`CREATE TABLE feature_groups (...)`]);
 */
export function openProjectDb(path: string): ProjectDb {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
    PRIMARY KEY (module, version))`);
  return db;
}

/**
 * Applies a module's migrations in order, each once, each in a transaction. Migrations are
 * append-only: never edit one that has shipped, add a new one.
 */
export function migrate(db: ProjectDb, module: string, migrations: readonly string[]): void {
  const done = new Set(
    (db.prepare('SELECT version FROM schema_migrations WHERE module = ?').all(module) as Array<{ version: number }>).map((r) => r.version),
  );
  migrations.forEach((sql, i) => {
    const version = i + 1;
    if (done.has(version)) return;
    db.transaction(() => {
      db.exec(sql);
      db.prepare('INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)').run(module, version, new Date().toISOString());
    })();
  });
}
