import { resolve } from 'node:path';
import type Database from 'better-sqlite3';
import { AsyncMutex } from './AsyncMutex.js';
import type { ProjectDb } from './openProjectDb.js';
import type { RunResult, StateDb } from './StateDb.js';

/**
 * The embedded driver of {@link StateDb}: one better-sqlite3 connection (the project database,
 * opened by `openProjectDb`), shared with the stores that still use it directly.
 *
 * better-sqlite3 is synchronous, so each statement completes before its promise resolves. The
 * only hazard of an async API over one connection is interleaving: caller B's statement running
 * while caller A's transaction is open would join A's transaction. So a transaction holds an
 * {@link AsyncMutex} from `BEGIN IMMEDIATE` (the write lock is taken at once, so another process
 * waits up to busy_timeout instead of failing later) to COMMIT/ROLLBACK, and statements on the
 * outer handle wait while it is held.
 */
export function sqliteStateDb(raw: ProjectDb, options: { ownsConnection?: boolean } = {}): StateDb {
  return new SqliteStateDb(raw, mutexOf(raw), false, options.ownsConnection ?? true);
}

/**
 * One lock per connection, shared by every handle on it: two handles on one connection (the
 * runtime's and a store's) must not run statements inside each other's transactions either.
 */
const mutexes = new WeakMap<ProjectDb, AsyncMutex>();
function mutexOf(raw: ProjectDb): AsyncMutex {
  let m = mutexes.get(raw);
  if (!m) {
    m = new AsyncMutex();
    mutexes.set(raw, m);
  }
  return m;
}

/**
 * One lock per database file for transactions, across this process's connections to it (the
 * runtime's and a feature store's, say). SQLite lets one connection write at a time, and a
 * connection waiting for the write lock waits synchronously (busy_timeout), so a second
 * connection's `BEGIN IMMEDIATE` issued while the first's async transaction is open would block
 * the very thread that must finish the first, and fail after busy_timeout. Taking turns here
 * instead, the second transaction simply starts when the first ends. In-memory databases are
 * per connection and keep the connection's lock.
 */
const fileLocks = new Map<string, AsyncMutex>();
function fileLockOf(raw: ProjectDb): AsyncMutex | undefined {
  if (raw.memory || !raw.name) return undefined;
  const key = resolve(raw.name);
  let m = fileLocks.get(key);
  if (!m) {
    m = new AsyncMutex();
    fileLocks.set(key, m);
  }
  return m;
}

class SqliteStateDb implements StateDb {
  readonly dialect = 'sqlite' as const;
  private readonly statements: Map<string, Database.Statement>;
  private readonly tx: SqliteStateDb;

  constructor(
    private readonly raw: ProjectDb,
    private readonly mutex: AsyncMutex,
    private readonly inTransaction: boolean,
    private readonly ownsConnection: boolean,
    statements?: Map<string, Database.Statement>,
  ) {
    this.statements = statements ?? new Map();
    this.tx = inTransaction ? this : new SqliteStateDb(raw, mutex, true, ownsConnection, this.statements);
  }

  get name(): string {
    return this.raw.name;
  }

  query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.guard(() => this.statement(sql).all(...bind(params)) as T[]);
  }

  one<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return this.guard(() => this.statement(sql).get(...bind(params)) as T | undefined);
  }

  run<T>(sql: string, params: readonly unknown[] = []): Promise<RunResult<T>> {
    return this.guard(() => {
      const st = this.statement(sql);
      if (st.reader) {
        const rows = st.all(...bind(params)) as T[];
        return { changes: rows.length, rows };
      }
      return { changes: st.run(...bind(params)).changes, rows: [] };
    });
  }

  exec(sql: string): Promise<void> {
    return this.guard(() => {
      this.raw.exec(sql);
    });
  }

  transaction<T>(fn: (tx: StateDb) => Promise<T>): Promise<T> {
    if (this.inTransaction) return fn(this);
    const file = fileLockOf(this.raw);
    return file ? file.run(() => this.transactionOnConnection(fn)) : this.transactionOnConnection(fn);
  }

  private transactionOnConnection<T>(fn: (tx: StateDb) => Promise<T>): Promise<T> {
    return this.mutex.run(async () => {
      this.raw.exec('BEGIN IMMEDIATE');
      try {
        const out = await fn(this.tx);
        this.raw.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (this.inTransaction) return;
    await this.mutex.run(async () => {
      this.statements.clear();
      if (this.ownsConnection && this.raw.open) this.raw.close();
    });
  }

  /** Runs a statement now, or after the transaction in progress when there is one (see the class comment). */
  private guard<T>(fn: () => T): Promise<T> {
    if (this.inTransaction || !this.mutex.locked) {
      try {
        return Promise.resolve(fn());
      } catch (e) {
        return Promise.reject(e);
      }
    }
    return this.mutex.run(async () => fn());
  }

  private statement(sql: string): Database.Statement {
    let st = this.statements.get(sql);
    if (!st) {
      st = this.raw.prepare(sql);
      if (this.statements.size >= 500) this.statements.clear();
      this.statements.set(sql, st);
    }
    return st;
  }
}

/** better-sqlite3 binds neither undefined nor booleans: null, and 1/0 as SQLite stores them. */
function bind(params: readonly unknown[]): unknown[] {
  return params.map((p) => (p === undefined ? null : typeof p === 'boolean' ? (p ? 1 : 0) : p));
}
