import pg from 'pg';
import { SluiceError } from '../core/errors.js';
import { postgresPlaceholders } from './postgresPlaceholders.js';
import { redactUrl } from './redactUrl.js';
import type { RunResult, StateDb } from './StateDb.js';

export interface PostgresStateOptions {
  /** Connections in the pool (default 10). */
  max?: number;
  /** How long to keep trying to connect while the server is down or starting (default 5000 ms). */
  connectRetryMs?: number;
  /** How many times a transaction is run again after a serialization failure or deadlock (default 10). */
  maxTxRetries?: number;
}

/**
 * The PostgreSQL driver of {@link StateDb}: a `pg` pool. Statements outside a transaction take any
 * pooled connection; a transaction takes one connection for its whole duration and is
 * SERIALIZABLE, so a store's read-then-write transaction means what it means on SQLite (where
 * writers take turns): as if the transactions had run one after the other.
 *
 * Failures it absorbs, and only where doing it again cannot apply a change twice:
 * - a connection that cannot be made (server restarting, refusing) is tried again for
 *   `connectRetryMs`: nothing was sent yet;
 * - a transaction that fails with a serialization failure (40001) or deadlock (40P01), or whose
 *   connection is lost before COMMIT, was rolled back by the server: it runs again from the start;
 * - a connection lost during COMMIT may or may not have committed: STATE_UNAVAILABLE, never a retry.
 * A single statement outside a transaction whose connection drops is not repeated either (it may
 * have been a write): STATE_UNAVAILABLE, retryable, for the caller to decide.
 *
 * BIGINT (epoch milliseconds, counts) and NUMERIC come back as JavaScript numbers, as SQLite gives them.
 */
export async function postgresStateDb(url: string, options: PostgresStateOptions = {}): Promise<StateDb> {
  const name = redactUrl(url);
  const pool = new pg.Pool({ connectionString: url, max: options.max ?? 10, types: { getTypeParser } });
  // An idle connection the server closes (restart, idle timeout) emits 'error': the pool drops it;
  // without a listener Node would crash the process.
  pool.on('error', () => {});
  const db = new PostgresStateDb(pool, name, { connectRetryMs: options.connectRetryMs ?? 5000, maxTxRetries: options.maxTxRetries ?? 10 });
  try {
    await db.one('SELECT 1 AS ok');
  } catch (e) {
    await pool.end().catch(() => {});
    throw e;
  }
  return db;
}

const NUMBER_TYPES = new Set([20, 1700]); // int8, numeric

function getTypeParser(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (NUMBER_TYPES.has(oid) && format !== 'binary') return (v: string) => Number(v);
  return pg.types.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

interface Limits {
  connectRetryMs: number;
  maxTxRetries: number;
}

class PostgresStateDb implements StateDb {
  readonly dialect = 'postgres' as const;
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    readonly name: string,
    private readonly limits: Limits,
    private readonly client?: pg.PoolClient,
  ) {}

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.send(sql, params)).rows as T[];
  }

  async one<T>(sql: string, params: readonly unknown[] = []): Promise<T | undefined> {
    return (await this.send(sql, params)).rows[0] as T | undefined;
  }

  async run<T>(sql: string, params: readonly unknown[] = []): Promise<RunResult<T>> {
    const r = await this.send(sql, params);
    return { changes: r.rowCount ?? 0, rows: r.rows as T[] };
  }

  async exec(sql: string): Promise<void> {
    // No parameters: the simple query protocol, which accepts several statements.
    if (this.client) await this.client.query(sql);
    else await this.withClient((c) => c.query(sql));
  }

  async transaction<T>(fn: (tx: StateDb) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    for (let attempt = 0; ; attempt++) {
      const client = await this.connect();
      let committing = false;
      let broken = false;
      try {
        await client.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
        const out = await fn(new PostgresStateDb(this.pool, this.name, this.limits, client));
        committing = true;
        await client.query('COMMIT');
        return out;
      } catch (e) {
        broken = isConnectionError(e);
        if (!broken) await client.query('ROLLBACK').catch(() => {});
        if (committing && broken) throw this.unavailable(e, 'the connection was lost while committing: the change may or may not have been saved');
        const again = (broken || isRetryableConflict(e)) && attempt < this.limits.maxTxRetries;
        if (!again) throw broken ? this.unavailable(e, 'the connection was lost during a transaction; nothing was saved') : e;
        // Full jitter (a random wait up to a doubling, capped bound): transactions that failed
        // together must not retry together, or they collide again.
        await sleep(5 + Math.random() * Math.min(1000, 20 * 2 ** attempt));
      } finally {
        client.release(broken);
      }
    }
  }

  async close(): Promise<void> {
    if (this.client || this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  private send(sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    const text = postgresPlaceholders(sql);
    const values = params.map((p) => (p === undefined ? null : p));
    if (this.client) return this.client.query(text, values);
    return this.withClient((c) => c.query(text, values));
  }

  private async withClient<T>(fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.connect();
    let broken = false;
    try {
      return await fn(client);
    } catch (e) {
      broken = isConnectionError(e);
      throw broken ? this.unavailable(e, 'the connection was lost during a statement') : e;
    } finally {
      client.release(broken);
    }
  }

  /** A pooled connection; a server that refuses or is starting is tried again for connectRetryMs. */
  private async connect(): Promise<pg.PoolClient> {
    if (this.closed) throw new SluiceError('STATE_CLOSED', `the state database ${this.name} was closed`, { httpStatus: 503 });
    const deadline = Date.now() + this.limits.connectRetryMs;
    for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
      try {
        const client = await this.pool.connect();
        // pg-pool removes its own 'error' listener from a connection it hands out: the server
        // ending it between two statements (a restart, pg_terminate_backend) would emit 'error'
        // with no listener and end the process. The failure reaches the caller through its next
        // statement instead (STATE_UNAVAILABLE, or the transaction run again).
        if (client.listenerCount('error') === 0) client.on('error', () => {});
        return client;
      } catch (e) {
        if (!isConnectionError(e) || Date.now() + wait > deadline) throw this.unavailable(e, 'cannot connect');
        await sleep(wait);
      }
    }
  }

  private unavailable(e: unknown, what: string): SluiceError {
    const reason = e instanceof Error ? e.message : String(e);
    return new SluiceError('STATE_UNAVAILABLE', `the state database ${this.name}: ${what} (${reason})`, {
      hint: 'check that PostgreSQL is running and reachable at that address (stores.state.url or SLUICE_DATABASE_URL), then try again',
      httpStatus: 503,
      retryable: true,
      cause: e,
    });
  }
}

/** Serialization failure, deadlock: the server rolled the transaction back and running it again is correct. */
function isRetryableConflict(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return code === '40001' || code === '40P01';
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  '08004',
]);

/** The connection failed or was cut (as opposed to the statement being refused). */
function isConnectionError(e: unknown): boolean {
  if (e instanceof SluiceError) return e.code === 'STATE_UNAVAILABLE';
  const code = (e as { code?: unknown }).code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = e instanceof Error ? e.message : '';
  return /Connection terminated|connection is closed|Client has encountered a connection error|timeout exceeded when trying to connect/i.test(message);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
