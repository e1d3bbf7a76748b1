import { SluiceError } from '../core/errors.js';
import type { StateDb, StateMigration } from './StateDb.js';

/** Any constant: the advisory lock under which PostgreSQL migrations run, one process at a time. */
const MIGRATION_LOCK = 7_300_017;

/**
 * Applies a module's migrations to the shared state, in order, each once, each in its own
 * transaction, recorded in `schema_migrations (module, version, applied_at)` (the table the
 * SQLite project database has always had, so existing projects carry on). Migrations are
 * append-only: never edit one that has shipped, add a new one. A database migrated by a newer
 * Sluice (a version this one does not know) is refused (STATE_TOO_NEW) rather than misread.
 * On PostgreSQL, processes starting together (workers, replicas) take turns under an advisory lock.
 *
 * @example
 * await migrateState(db, 'pipeline', [`CREATE TABLE executions (...)`, { sqlite: '...', postgres: '...' }]);
 */
export async function migrateState(db: StateDb, module: string, migrations: readonly StateMigration[]): Promise<void> {
  await db.transaction(async (tx) => {
    if (tx.dialect === 'postgres') await tx.query('SELECT pg_advisory_xact_lock(?::bigint) AS locked', [MIGRATION_LOCK]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      module TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL,
      PRIMARY KEY (module, version))`);
  });
  for (;;) {
    const applied = await db.transaction(async (tx) => {
      // Taken before the transaction reads anything, so its snapshot includes what another
      // process migrated while this one waited (a SELECT first would fix the snapshot too early).
      if (tx.dialect === 'postgres') await tx.exec('LOCK TABLE schema_migrations IN SHARE ROW EXCLUSIVE MODE');
      const version = (await missingVersions(tx, module, migrations.length))[0];
      if (version === undefined) return false;
      const m = migrations[version - 1]!;
      await tx.exec(typeof m === 'string' ? m : m[tx.dialect]);
      await tx.run('INSERT INTO schema_migrations (module, version, applied_at) VALUES (?, ?, ?)', [module, version, new Date().toISOString()]);
      return true;
    });
    if (!applied) return;
  }
}

async function missingVersions(tx: StateDb, module: string, known: number): Promise<number[]> {
  const done = new Set((await tx.query<{ version: number }>('SELECT version FROM schema_migrations WHERE module = ?', [module])).map((r) => r.version));
  const newest = Math.max(0, ...done);
  if (newest > known) {
    throw new SluiceError('STATE_TOO_NEW', `the state database ${tx.name} has ${module} schema version ${newest}; this Sluice knows up to ${known}`, {
      location: { file: tx.name },
      hint: 'it was written by a newer Sluice: run that version, or restore a backup made with this one (docs/operations.md)',
      httpStatus: 500,
    });
  }
  return Array.from({ length: known }, (_, i) => i + 1).filter((v) => !done.has(v));
}
