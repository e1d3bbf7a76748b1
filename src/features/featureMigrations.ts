import type { StateMigration } from '../state/StateDb.js';

/**
 * Tables of the feature registry in the shared state (SQLite or PostgreSQL). Append-only: add a
 * migration, never edit one (the SQLite text of the first is the one existing projects and
 * backups were created with, byte for byte). On PostgreSQL, counts of rows are BIGINT and group
 * names are unique whatever their case (SQLite compares them with NOCASE).
 *
 * Version 2 records which attempt of an ingest committed a batch (`attempt`): each attempt
 * writes its own offline files and stages its own online entries, so of two attempts of one
 * batch id running at once (a lease expired and another worker retried) exactly one commits,
 * and only its files and entries become visible (see ingestBatch.ts).
 */
export const FEATURE_MIGRATIONS: readonly StateMigration[] = [
  {
    sqlite: `CREATE TABLE feature_groups (
     name TEXT PRIMARY KEY, record_identifier TEXT NOT NULL, event_time TEXT NOT NULL,
     description TEXT NOT NULL, tags TEXT NOT NULL, ttl_seconds INTEGER,
     version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE TABLE feature_definitions (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     name TEXT NOT NULL, type TEXT NOT NULL, position INTEGER NOT NULL, added_in_version INTEGER NOT NULL,
     PRIMARY KEY (group_name, name));
   CREATE TABLE feature_group_changes (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     version INTEGER NOT NULL, kind TEXT NOT NULL, features TEXT NOT NULL, at TEXT NOT NULL,
     PRIMARY KEY (group_name, version));
   CREATE TABLE feature_batches (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     batch_id TEXT NOT NULL, kind TEXT NOT NULL, files TEXT NOT NULL, rows INTEGER NOT NULL,
     duplicates_dropped INTEGER NOT NULL, committed_at TEXT NOT NULL,
     PRIMARY KEY (group_name, batch_id));`,
    postgres: `CREATE TABLE feature_groups (
     name TEXT PRIMARY KEY, record_identifier TEXT NOT NULL, event_time TEXT NOT NULL,
     description TEXT NOT NULL, tags TEXT NOT NULL, ttl_seconds INTEGER,
     version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
   CREATE UNIQUE INDEX feature_groups_name_ci ON feature_groups (lower(name));
   CREATE TABLE feature_definitions (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     name TEXT NOT NULL, type TEXT NOT NULL, position INTEGER NOT NULL, added_in_version INTEGER NOT NULL,
     PRIMARY KEY (group_name, name));
   CREATE TABLE feature_group_changes (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     version INTEGER NOT NULL, kind TEXT NOT NULL, features TEXT NOT NULL, at TEXT NOT NULL,
     PRIMARY KEY (group_name, version));
   CREATE TABLE feature_batches (
     group_name TEXT NOT NULL REFERENCES feature_groups(name) ON DELETE CASCADE,
     batch_id TEXT NOT NULL, kind TEXT NOT NULL, files TEXT NOT NULL, rows BIGINT NOT NULL,
     duplicates_dropped BIGINT NOT NULL, committed_at TEXT NOT NULL,
     PRIMARY KEY (group_name, batch_id));`,
  },
  'ALTER TABLE feature_batches ADD COLUMN attempt TEXT',
];
