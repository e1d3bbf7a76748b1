/**
 * Tables of the model registry in the project database. Append-only: add a migration, never edit
 * one. `model_names.last_version` keeps versions increasing even after deletions, so a version
 * number is never reused for a different artifact.
 */
export const MODEL_MIGRATIONS: readonly string[] = [
  `CREATE TABLE model_names (
     name TEXT PRIMARY KEY,
     last_version INTEGER NOT NULL,
     created_at TEXT NOT NULL
   );
   CREATE TABLE model_versions (
     name TEXT NOT NULL REFERENCES model_names(name),
     version INTEGER NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
     status_by TEXT, status_at TEXT, status_comment TEXT,
     description TEXT,
     created_at TEXT NOT NULL,
     created_by TEXT,
     artifact_dir TEXT NOT NULL,
     artifact_hash TEXT NOT NULL,
     metrics TEXT NOT NULL,
     tags TEXT NOT NULL,
     lineage TEXT NOT NULL,
     PRIMARY KEY (name, version)
   );
   CREATE TABLE model_aliases (
     name TEXT NOT NULL,
     alias TEXT NOT NULL,
     version INTEGER NOT NULL,
     updated_at TEXT NOT NULL,
     updated_by TEXT NOT NULL,
     PRIMARY KEY (name, alias),
     FOREIGN KEY (name, version) REFERENCES model_versions(name, version)
   );
   CREATE TABLE model_history (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     name TEXT NOT NULL,
     version INTEGER,
     kind TEXT NOT NULL,
     alias TEXT,
     from_value TEXT,
     to_value TEXT,
     by TEXT NOT NULL,
     at TEXT NOT NULL,
     comment TEXT
   );
   CREATE INDEX model_history_name ON model_history(name, id);`,
  // Lets an orchestrator activity re-run `register` after a crash without a second version.
  `ALTER TABLE model_versions ADD COLUMN idempotency_key TEXT;
   CREATE UNIQUE INDEX model_versions_idem ON model_versions(name, idempotency_key) WHERE idempotency_key IS NOT NULL;`,
];
