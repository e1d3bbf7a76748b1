/**
 * The project's shared state (executions, approvals, registries, users...) as one small, async,
 * dialect-neutral database handle. Every store is written once against it, in SQL both dialects
 * understand, and runs on either driver: SQLite (embedded default, `sqliteStateDb.ts`) or
 * PostgreSQL (several machines, `postgresStateDb.ts`). docs/architecture.md says why.
 *
 * The SQL a store writes:
 * - placeholders are `?`, in order (the PostgreSQL driver numbers them `$1, $2, ...`);
 * - upserts are `INSERT ... ON CONFLICT (key) DO UPDATE SET x = excluded.x` and "insert unless
 *   present" is `ON CONFLICT DO NOTHING` (both dialects; never `INSERT OR IGNORE/REPLACE`);
 * - generated ids come back with `RETURNING id` (both dialects), never `lastInsertRowid`;
 * - JSON is TEXT written with JSON.stringify and read with JSON.parse; times are ISO text or
 *   epoch milliseconds made in JavaScript (no `now()`), so both dialects store the same values;
 * - DDL differences (types, triggers) live in the migrations: see {@link StateMigration}.
 */

export type Dialect = 'sqlite' | 'postgres';

/** What a write did: rows changed, and the rows of its `RETURNING` clause (empty without one). */
export interface RunResult<T = Record<string, unknown>> {
  changes: number;
  rows: T[];
}

export interface StateDb {
  readonly dialect: Dialect;
  /** Where the state lives, for messages: the SQLite file, or the PostgreSQL URL without its password. */
  readonly name: string;
  /** All rows of a query. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /** The first row of a query, or undefined. */
  one<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<T | undefined>;
  /** A write (INSERT, UPDATE, DELETE), with the rows it changed and those it `RETURNING`s. */
  run<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<RunResult<T>>;
  /** Several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Runs `fn` in one transaction on `tx`, a handle whose statements are inside it: committed when
   * `fn` resolves, rolled back when it throws. Inside `fn`, use only `tx` (the outer handle waits
   * for the transaction to end, so using it there would wait forever). A transaction inside a
   * transaction joins the outer one. Keep `fn` to database work: on PostgreSQL it may run again
   * after a serialization failure or a lost connection.
   */
  transaction<T>(fn: (tx: StateDb) => Promise<T>): Promise<T>;
  /** Closes the connection(s); a closed handle refuses further use. */
  close(): Promise<void>;
}

/**
 * One migration of a module: SQL both dialects accept, or one text per dialect where the DDL
 * differs (column types such as BIGINT for epoch milliseconds, triggers, identity columns).
 */
export type StateMigration = string | { readonly sqlite: string; readonly postgres: string };
