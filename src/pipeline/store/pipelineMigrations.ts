import type { StateMigration } from '../../state/StateDb.js';

/**
 * Version 1's tables in either dialect: one definition, with the two places where the DDL must
 * differ passed in (the type of epoch-millisecond columns, and the append-only trigger).
 */
function initialTables(epochMs: string, appendOnly: string): string {
  return `CREATE TABLE executions (
     id TEXT PRIMARY KEY,
     pipeline TEXT NOT NULL,
     definition TEXT NOT NULL,
     input TEXT NOT NULL,
     file TEXT,
     sha256 TEXT,
     duplicate_of TEXT,
     status TEXT NOT NULL CHECK (status IN ('running','waiting','succeeded','failed','skipped')),
     outcome TEXT,
     error TEXT,
     current TEXT NOT NULL DEFAULT '[]',
     created_at TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     wake_at ${epochMs},
     lease_owner TEXT,
     lease_until ${epochMs},
     last_seq INTEGER NOT NULL DEFAULT 0
   );
   CREATE INDEX executions_runnable ON executions (status, wake_at);
   CREATE INDEX executions_sha256 ON executions (sha256);
   CREATE TABLE execution_events (
     execution_id TEXT NOT NULL REFERENCES executions (id),
     seq INTEGER NOT NULL,
     type TEXT NOT NULL,
     step TEXT,
     data TEXT NOT NULL,
     at TEXT NOT NULL,
     PRIMARY KEY (execution_id, seq)
   );
${appendOnly}
   CREATE TABLE approval_tokens (
     id TEXT PRIMARY KEY,
     execution_id TEXT NOT NULL REFERENCES executions (id),
     step TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE,
     approver TEXT,
     created_at TEXT NOT NULL,
     expires_at ${epochMs} NOT NULL,
     used_at TEXT
   );
   CREATE INDEX approval_tokens_execution ON approval_tokens (execution_id, step);`;
}

const SQLITE_APPEND_ONLY = `   CREATE TRIGGER execution_events_append_only_u BEFORE UPDATE ON execution_events
     BEGIN SELECT RAISE(ABORT, 'the execution history is append-only'); END;
   CREATE TRIGGER execution_events_append_only_d BEFORE DELETE ON execution_events
     BEGIN SELECT RAISE(ABORT, 'the execution history is append-only'); END;`;

const POSTGRES_APPEND_ONLY = `   CREATE FUNCTION execution_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION 'the execution history is append-only'; END $$;
   CREATE TRIGGER execution_events_append_only BEFORE UPDATE OR DELETE ON execution_events
     FOR EACH ROW EXECUTE FUNCTION execution_events_append_only();`;

/**
 * The pipeline module's tables in the state database. Append-only list: never edit a shipped
 * migration, add one. PostgreSQL differs only where the DDL must: BIGINT for epoch milliseconds
 * (wake_at, lease_until) and a trigger function to keep the history append-only.
 */
export const PIPELINE_MIGRATIONS: readonly StateMigration[] = [
  { sqlite: initialTables('INTEGER', SQLITE_APPEND_ONLY), postgres: initialTables('BIGINT', POSTGRES_APPEND_ONLY) },
  // Notices already sent, by idempotency key and recipient, so a retried notify step does not
  // send them again.
  `CREATE TABLE pipeline_notifications (key TEXT PRIMARY KEY, sent_at TEXT NOT NULL);`,
];
