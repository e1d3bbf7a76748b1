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
  { sqlite: firstTables('INTEGER', ''), postgres: firstTables('BIGINT', '\n   CREATE UNIQUE INDEX feature_groups_name_ci ON feature_groups (lower(name));') },
  'ALTER TABLE feature_batches ADD COLUMN attempt TEXT',
];

/**
 * The tables of version 1, written once for both dialects: they differ only in the type of the
 * row counts and in PostgreSQL's case-insensitive index on group names, placed after
 * `feature_groups`. The SQLite text this makes is the one shipped, byte for byte.
 */
function firstTables(count: 'INTEGER' | 'BIGINT', afterGroups: string): string {
  return `CREATE TABLE feature_groups (
     name TEXT PRIMARY KEY, record_identifier TEXT NOT NULL, event_time TEXT NOT NULL,
     description TEXT NOT NULL, tags TEXT NOT NULL, ttl_seconds INTEGER,
     version INTEGER NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL);${afterGroups}
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
     batch_id TEXT NOT NULL, kind TEXT NOT NULL, files TEXT NOT NULL, rows ${count} NOT NULL,
     duplicates_dropped ${count} NOT NULL, committed_at TEXT NOT NULL,
     PRIMARY KEY (group_name, batch_id));`;
}
