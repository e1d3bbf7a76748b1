import { randomBytes, randomInt } from 'node:crypto';
import { hostname } from 'node:os';
import { SluiceError } from '../../core/errors.js';
import { diskFullFault } from '../../engine/diskFull.js';
import { migrateState } from '../../state/migrateState.js';
import type { StateDb } from '../../state/StateDb.js';
import type { Pipeline } from '../definition/pipelineSchema.js';
import type { ExecutionEvent, NewEvent, RecordedError } from '../events.js';
import { PIPELINE_MIGRATIONS } from './pipelineMigrations.js';

export type ExecutionStatus = 'running' | 'waiting' | 'succeeded' | 'failed' | 'skipped';

/** What started an execution: usually a file, plus free-form input the states can read as `$.input`. */
export interface ExecutionInput {
  file?: string | undefined;
  sha256?: string | undefined;
  [key: string]: unknown;
}

export interface ExecutionRecord {
  id: string;
  pipeline: string;
  definition: Pipeline;
  input: ExecutionInput;
  file: string | null;
  sha256: string | null;
  duplicateOf: string | null;
  status: ExecutionStatus;
  outcome: string | null;
  error: RecordedError | null;
  current: string[];
  createdAt: string;
  updatedAt: string;
  wakeAt: number | null;
  lastSeq: number;
}

interface Row {
  id: string;
  pipeline: string;
  definition: string;
  input: string;
  file: string | null;
  sha256: string | null;
  duplicate_of: string | null;
  status: ExecutionStatus;
  outcome: string | null;
  error: string | null;
  current: string;
  created_at: string;
  updated_at: string;
  wake_at: number | null;
  last_seq: number;
}

function toRecord(r: Row): ExecutionRecord {
  return {
    id: r.id,
    pipeline: r.pipeline,
    definition: JSON.parse(r.definition) as Pipeline,
    input: JSON.parse(r.input) as ExecutionInput,
    file: r.file,
    sha256: r.sha256,
    duplicateOf: r.duplicate_of,
    status: r.status,
    outcome: r.outcome,
    error: r.error ? (JSON.parse(r.error) as RecordedError) : null,
    current: JSON.parse(r.current) as string[],
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    wakeAt: r.wake_at,
    lastSeq: r.last_seq,
  };
}

/** The time and random part of the last id this process made ({@link newExecutionId}). */
let lastId = { time: 0, random: 0 };
const RANDOM_LIMIT = 2 ** 40;

/**
 * A sortable, unguessable execution id: `ex-<time base36>-<random, 10 hex digits>`. The ids one
 * process makes sort in the order it made them, also within one millisecond (several executions
 * are often created in one): the next id of the same millisecond takes the last random part plus
 * a random step, so lists ordered `created_at DESC, id DESC` show the newest first.
 */
export function newExecutionId(now = Date.now()): string {
  let time = now;
  let random = randomInt(0, RANDOM_LIMIT / 2);
  if (time <= lastId.time) {
    time = lastId.time;
    random = lastId.random + 1 + randomInt(0, 2 ** 16);
    if (random >= RANDOM_LIMIT) {
      time += 1;
      random = randomInt(0, RANDOM_LIMIT / 2);
    }
  }
  lastId = { time, random };
  return `ex-${time.toString(36)}-${random.toString(16).padStart(10, '0')}`;
}

/**
 * Executions and their append-only event history in the shared state (SQLite or PostgreSQL,
 * through {@link StateDb}). Every write is one transaction; appends are optimistic (they name the
 * last sequence number they saw, and a compare-and-set on `last_seq` refuses a stale one), so two
 * writers (orchestrators of several processes, a CLI approving) never interleave decisions on a
 * stale view. Leases say which process drives an execution.
 *
 * @example
 * const store = await ExecutionStore.open(state); // then Orchestrator.start(...) records executions
 */
export class ExecutionStore {
  private constructor(readonly db: StateDb) {}

  /** The store on `db`, its tables created or migrated first. */
  static async open(db: StateDb): Promise<ExecutionStore> {
    await migrateState(db, 'pipeline', PIPELINE_MIGRATIONS);
    return new ExecutionStore(db);
  }

  /** Runs `fn` in one transaction, with a store whose reads and writes are inside it. */
  transaction<T>(fn: (store: ExecutionStore) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => fn(new ExecutionStore(tx)));
  }

  /**
   * Creates an execution with its `ExecutionStarted` event. When the input carries a sha256 that
   * an earlier execution already processed, the new execution is recorded as `skipped` with a
   * `DuplicateDetected` event naming the original, unless `allowDuplicate`.
   */
  async create(pipeline: Pipeline, input: ExecutionInput, opts: { allowDuplicate?: boolean; id?: string } = {}): Promise<ExecutionRecord> {
    const id = opts.id ?? newExecutionId();
    const now = new Date().toISOString();
    await this.db.transaction(async (tx) => {
      const original =
        input.sha256 && !opts.allowDuplicate
          ? await tx.one<{ id: string }>('SELECT id FROM executions WHERE sha256 = ? AND duplicate_of IS NULL ORDER BY created_at LIMIT 1', [input.sha256])
          : undefined;
      await tx.run(
        `INSERT INTO executions (id, pipeline, definition, input, file, sha256, duplicate_of, status, outcome, created_at, updated_at, wake_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          pipeline.name,
          JSON.stringify(pipeline),
          JSON.stringify(input),
          input.file ?? null,
          input.sha256 ?? null,
          original?.id ?? null,
          original ? 'skipped' : 'running',
          original ? 'duplicate' : null,
          now,
          now,
          original ? null : 0,
        ],
      );
      const events: NewEvent[] = [{ type: 'ExecutionStarted', data: { input, pipeline: pipeline.name } }];
      if (original) {
        events.push({ type: 'DuplicateDetected', data: { sha256: input.sha256, duplicateOf: original.id } });
        events.push({ type: 'ExecutionSkipped', data: { reason: `the same content (sha256 ${input.sha256}) was already processed by ${original.id}` } });
      }
      await insertEvents(tx, id, 0, events, now);
      await tx.run('UPDATE executions SET last_seq = ? WHERE id = ?', [events.length, id]);
    });
    return (await this.get(id))!;
  }

  async get(id: string): Promise<ExecutionRecord | undefined> {
    const r = await this.db.one<Row>('SELECT * FROM executions WHERE id = ?', [id]);
    return r ? toRecord(r) : undefined;
  }

  /** Like {@link get}, but a missing execution is a 404 SluiceError. */
  async require(id: string): Promise<ExecutionRecord> {
    const r = await this.get(id);
    if (!r) throw new SluiceError('EXECUTION_NOT_FOUND', `no execution ${id}`, { httpStatus: 404, hint: 'list executions with `sluice executions list`' });
    return r;
  }

  /** The sequence number of the last recorded event (0 when none; -1 when no such execution). */
  async lastSeq(id: string): Promise<number> {
    const r = await this.db.one<{ last_seq: number }>('SELECT last_seq FROM executions WHERE id = ?', [id]);
    return r ? r.last_seq : -1;
  }

  /** Executions, newest first. `file` matches part of the file's path, ignoring case. */
  async list(opts: { status?: ExecutionStatus | undefined; file?: string | undefined; limit?: number; offset?: number } = {}): Promise<ExecutionRecord[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.status) {
      where.push('status = ?');
      args.push(opts.status);
    }
    if (opts.file) {
      where.push('LOWER(file) LIKE LOWER(?)');
      args.push(`%${opts.file}%`);
    }
    const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`;
    return (await this.db.query<Row>(sql, [...args, opts.limit ?? 100, opts.offset ?? 0])).map(toRecord);
  }

  async count(status?: ExecutionStatus): Promise<number> {
    const r = status
      ? await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM executions WHERE status = ?', [status])
      : await this.db.one<{ n: number }>('SELECT COUNT(*) AS n FROM executions');
    return r?.n ?? 0;
  }

  async events(id: string, afterSeq = 0): Promise<ExecutionEvent[]> {
    const rows = await this.db.query<{ execution_id: string; seq: number; type: ExecutionEvent['type']; step: string | null; data: string; at: string }>(
      'SELECT execution_id, seq, type, step, data, at FROM execution_events WHERE execution_id = ? AND seq > ? ORDER BY seq',
      [id, afterSeq],
    );
    return rows.map((r) => ({
      executionId: r.execution_id,
      seq: r.seq,
      type: r.type,
      ...(r.step !== null ? { step: r.step } : {}),
      data: JSON.parse(r.data) as Record<string, unknown>,
      at: r.at,
    }));
  }

  /**
   * Appends events if the history still ends at `expectedLastSeq`; returns the recorded events,
   * or `null` when someone else appended first (the caller re-reads and decides again).
   */
  async append(
    id: string,
    events: readonly NewEvent[],
    expectedLastSeq: number,
    changes: Partial<Pick<ExecutionRecord, 'status' | 'wakeAt'>> = {},
  ): Promise<ExecutionEvent[] | null> {
    diskFullFault(this.db.name, 'state');
    const now = new Date().toISOString();
    return this.db.transaction(async (tx) => {
      // Compare-and-set: only the writer that saw the last event moves the history on.
      const moved = await tx.run('UPDATE executions SET last_seq = ?, updated_at = ? WHERE id = ? AND last_seq = ?', [
        expectedLastSeq + events.length,
        now,
        id,
        expectedLastSeq,
      ]);
      if (moved.changes === 0) return null;
      const out = await insertEvents(tx, id, expectedLastSeq, events, now);
      if (changes.status !== undefined) await tx.run('UPDATE executions SET status = ? WHERE id = ?', [changes.status, id]);
      if (changes.wakeAt !== undefined) await tx.run('UPDATE executions SET wake_at = ? WHERE id = ?', [changes.wakeAt, id]);
      return out;
    });
  }

  /** Records the orchestrator's summary of an execution (status, current steps, next wake-up). */
  async setState(
    id: string,
    s: { status: ExecutionStatus; current: string[]; wakeAt: number | null; outcome?: string | null; error?: RecordedError | null },
  ): Promise<void> {
    diskFullFault(this.db.name, 'state');
    await this.db.run('UPDATE executions SET status = ?, current = ?, wake_at = ?, outcome = COALESCE(?, outcome), error = ?, updated_at = ? WHERE id = ?', [
      s.status,
      JSON.stringify(s.current),
      s.wakeAt,
      s.outcome ?? null,
      s.error ? JSON.stringify(s.error) : null,
      new Date().toISOString(),
      id,
    ]);
  }

  /** Asks the orchestrator to look at an execution now (after a decision, a redrive, ...). */
  async wake(id: string): Promise<void> {
    await this.db.run(`UPDATE executions SET wake_at = 0 WHERE id = ? AND status IN ('running','waiting')`, [id]);
  }

  /** Ids of executions due for the orchestrator: running, or waiting with a wake-up time passed, and not leased. */
  async due(now: number, limit: number, exclude: ReadonlySet<string>): Promise<string[]> {
    const rows = await this.db.query<{ id: string }>(
      `SELECT id FROM executions WHERE status IN ('running','waiting') AND wake_at IS NOT NULL AND wake_at <= ? AND (lease_until IS NULL OR lease_until < ? OR lease_owner IS NULL) ORDER BY wake_at, created_at LIMIT ?`,
      [now, now, limit + exclude.size],
    );
    return rows
      .map((r) => r.id)
      .filter((id) => !exclude.has(id))
      .slice(0, limit);
  }

  /** Earliest future wake-up among waiting executions (to sleep exactly until then). */
  async nextWake(): Promise<number | null> {
    const r = await this.db.one<{ w: number | null }>(`SELECT MIN(wake_at) AS w FROM executions WHERE status IN ('running','waiting') AND wake_at IS NOT NULL`);
    return r?.w ?? null;
  }

  /**
   * Takes (or renews) the lease of an execution so only one orchestrator drives it: free, ours,
   * expired, or held by a process of this host that no longer exists (killed), which is taken
   * over at once instead of waiting out its expiry. Returns whether this owner holds it now.
   */
  async claim(id: string, owner: string, leaseMs: number, now = Date.now()): Promise<boolean> {
    diskFullFault(this.db.name, 'state');
    return this.db.transaction(async (tx) => {
      const r = await tx.one<{ lease_owner: string | null; lease_until: number | null }>('SELECT lease_owner, lease_until FROM executions WHERE id = ?', [id]);
      if (!r) return false;
      const free = r.lease_owner === null || r.lease_owner === owner || (r.lease_until ?? 0) < now || ownerIsDead(r.lease_owner);
      if (!free) return false;
      await tx.run('UPDATE executions SET lease_owner = ?, lease_until = ? WHERE id = ?', [owner, now + leaseMs, id]);
      return true;
    });
  }

  async release(id: string, owner: string): Promise<void> {
    diskFullFault(this.db.name, 'state');
    await this.db.run('UPDATE executions SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?', [id, owner]);
  }

  /** Releases leases of dead local processes, so executions they drove are picked up now. */
  async reclaimDead(): Promise<void> {
    const rows = await this.db.query<{ id: string; lease_owner: string }>('SELECT id, lease_owner FROM executions WHERE lease_owner IS NOT NULL');
    for (const r of rows)
      if (ownerIsDead(r.lease_owner))
        await this.db.run('UPDATE executions SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?', [r.id, r.lease_owner]);
  }
}

/** Inserts events numbered after `lastSeq` (the caller moves `last_seq`). */
async function insertEvents(tx: StateDb, id: string, lastSeq: number, events: readonly NewEvent[], at: string): Promise<ExecutionEvent[]> {
  const out: ExecutionEvent[] = [];
  for (const [i, e] of events.entries()) {
    const seq = lastSeq + i + 1;
    await tx.run('INSERT INTO execution_events (execution_id, seq, type, step, data, at) VALUES (?, ?, ?, ?, ?, ?)', [
      id,
      seq,
      e.type,
      e.step ?? null,
      JSON.stringify(e.data),
      at,
    ]);
    out.push({ executionId: id, seq, at, ...e });
  }
  return out;
}

/** A lease owner id: `<host>:<pid>:<random>`. */
export function leaseOwnerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function ownerIsDead(owner: string): boolean {
  const [host, pid] = owner.split(':');
  if (host !== hostname() || !pid) return false;
  if (Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
