import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SluiceError } from '../../core/errors.js';
import { diskFullFault } from '../../engine/diskFull.js';
import { migrate, type ProjectDb } from '../../state/openProjectDb.js';
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

/** A sortable, unguessable execution id: `ex-<time base36>-<random>`. */
export function newExecutionId(now = Date.now()): string {
  return `ex-${now.toString(36)}-${randomBytes(5).toString('hex')}`;
}

/**
 * Executions and their append-only event history in the project's SQLite database. Every write
 * is one transaction; appends are optimistic (they name the last sequence number they saw), so
 * two writers (the orchestrator and a CLI approving from another process) never interleave
 * decisions on a stale view.
 */
export class ExecutionStore {
  constructor(readonly db: ProjectDb) {
    migrate(db, 'pipeline', PIPELINE_MIGRATIONS);
  }

  /**
   * Creates an execution with its `ExecutionStarted` event. When the input carries a sha256 that
   * an earlier execution already processed, the new execution is recorded as `skipped` with a
   * `DuplicateDetected` event naming the original, unless `allowDuplicate`.
   */
  create(pipeline: Pipeline, input: ExecutionInput, opts: { allowDuplicate?: boolean; id?: string } = {}): ExecutionRecord {
    const id = opts.id ?? newExecutionId();
    const now = new Date().toISOString();
    const tx = this.db.transaction(() => {
      const original =
        input.sha256 && !opts.allowDuplicate
          ? (this.db.prepare(`SELECT id FROM executions WHERE sha256 = ? AND duplicate_of IS NULL ORDER BY created_at LIMIT 1`).get(input.sha256) as
              | { id: string }
              | undefined)
          : undefined;
      this.db
        .prepare(`INSERT INTO executions (id, pipeline, definition, input, file, sha256, duplicate_of, status, outcome, created_at, updated_at, wake_at)
                  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(
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
        );
      const events: NewEvent[] = [{ type: 'ExecutionStarted', data: { input, pipeline: pipeline.name } }];
      if (original) {
        events.push({ type: 'DuplicateDetected', data: { sha256: input.sha256, duplicateOf: original.id } });
        events.push({ type: 'ExecutionSkipped', data: { reason: `the same content (sha256 ${input.sha256}) was already processed by ${original.id}` } });
      }
      this.insertEvents(id, 0, events, now);
    });
    tx.immediate();
    return this.get(id)!;
  }

  get(id: string): ExecutionRecord | undefined {
    const r = this.db.prepare('SELECT * FROM executions WHERE id = ?').get(id) as Row | undefined;
    return r ? toRecord(r) : undefined;
  }

  /** Like {@link get}, but a missing execution is a 404 SluiceError. */
  require(id: string): ExecutionRecord {
    const r = this.get(id);
    if (!r) throw new SluiceError('EXECUTION_NOT_FOUND', `no execution ${id}`, { httpStatus: 404, hint: 'list executions with `sluice executions list`' });
    return r;
  }

  /** The sequence number of the last recorded event (0 when none; -1 when no such execution). */
  lastSeq(id: string): number {
    const r = this.db.prepare('SELECT last_seq FROM executions WHERE id = ?').get(id) as { last_seq: number } | undefined;
    return r ? r.last_seq : -1;
  }

  /** Executions, newest first. */
  list(opts: { status?: ExecutionStatus | undefined; file?: string | undefined; limit?: number; offset?: number } = {}): ExecutionRecord[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (opts.status) {
      where.push('status = ?');
      args.push(opts.status);
    }
    if (opts.file) {
      where.push('file LIKE ?');
      args.push(`%${opts.file}%`);
    }
    const sql = `SELECT * FROM executions ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`;
    return (this.db.prepare(sql).all(...args, opts.limit ?? 100, opts.offset ?? 0) as Row[]).map(toRecord);
  }

  count(status?: ExecutionStatus): number {
    const r = (
      status
        ? this.db.prepare('SELECT COUNT(*) AS n FROM executions WHERE status = ?').get(status)
        : this.db.prepare('SELECT COUNT(*) AS n FROM executions').get()
    ) as { n: number };
    return r.n;
  }

  events(id: string, afterSeq = 0): ExecutionEvent[] {
    const rows = this.db
      .prepare('SELECT execution_id, seq, type, step, data, at FROM execution_events WHERE execution_id = ? AND seq > ? ORDER BY seq')
      .all(id, afterSeq) as Array<{ execution_id: string; seq: number; type: ExecutionEvent['type']; step: string | null; data: string; at: string }>;
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
  append(
    id: string,
    events: readonly NewEvent[],
    expectedLastSeq: number,
    changes: Partial<Pick<ExecutionRecord, 'status' | 'wakeAt'>> = {},
  ): ExecutionEvent[] | null {
    diskFullFault(this.db.name, 'state');
    const now = new Date().toISOString();
    let out: ExecutionEvent[] | null = null;
    const tx = this.db.transaction(() => {
      const cur = this.db.prepare('SELECT last_seq FROM executions WHERE id = ?').get(id) as { last_seq: number } | undefined;
      if (!cur || cur.last_seq !== expectedLastSeq) return;
      out = this.insertEvents(id, expectedLastSeq, events, now);
      if (changes.status !== undefined) this.db.prepare('UPDATE executions SET status = ? WHERE id = ?').run(changes.status, id);
      if (changes.wakeAt !== undefined) this.db.prepare('UPDATE executions SET wake_at = ? WHERE id = ?').run(changes.wakeAt, id);
    });
    tx.immediate();
    return out;
  }

  private insertEvents(id: string, lastSeq: number, events: readonly NewEvent[], at: string): ExecutionEvent[] {
    const ins = this.db.prepare('INSERT INTO execution_events (execution_id, seq, type, step, data, at) VALUES (?, ?, ?, ?, ?, ?)');
    const out = events.map((e, i) => {
      const seq = lastSeq + i + 1;
      ins.run(id, seq, e.type, e.step ?? null, JSON.stringify(e.data), at);
      return { executionId: id, seq, at, ...e };
    });
    this.db.prepare('UPDATE executions SET last_seq = ?, updated_at = ? WHERE id = ?').run(lastSeq + events.length, at, id);
    return out;
  }

  /** Records the orchestrator's summary of an execution (status, current steps, next wake-up). */
  setState(id: string, s: { status: ExecutionStatus; current: string[]; wakeAt: number | null; outcome?: string | null; error?: RecordedError | null }): void {
    diskFullFault(this.db.name, 'state');
    this.db
      .prepare('UPDATE executions SET status = ?, current = ?, wake_at = ?, outcome = COALESCE(?, outcome), error = ?, updated_at = ? WHERE id = ?')
      .run(s.status, JSON.stringify(s.current), s.wakeAt, s.outcome ?? null, s.error ? JSON.stringify(s.error) : null, new Date().toISOString(), id);
  }

  /** Asks the orchestrator to look at an execution now (after a decision, a redrive, ...). */
  wake(id: string): void {
    this.db.prepare(`UPDATE executions SET wake_at = 0 WHERE id = ? AND status IN ('running','waiting')`).run(id);
  }

  /** Ids of executions due for the orchestrator: running, or waiting with a wake-up time passed. */
  due(now: number, limit: number, exclude: ReadonlySet<string>): string[] {
    const rows = this.db
      .prepare(
        `SELECT id FROM executions WHERE status IN ('running','waiting') AND wake_at IS NOT NULL AND wake_at <= ? AND (lease_until IS NULL OR lease_until < ? OR lease_owner IS NULL) ORDER BY wake_at, created_at LIMIT ?`,
      )
      .all(now, now, limit + exclude.size) as Array<{ id: string }>;
    return rows
      .map((r) => r.id)
      .filter((id) => !exclude.has(id))
      .slice(0, limit);
  }

  /** Earliest future wake-up among waiting executions (to sleep exactly until then). */
  nextWake(): number | null {
    const r = this.db.prepare(`SELECT MIN(wake_at) AS w FROM executions WHERE status IN ('running','waiting') AND wake_at IS NOT NULL`).get() as {
      w: number | null;
    };
    return r.w;
  }

  /**
   * Takes the lease of an execution so only one orchestrator drives it. A lease held by a process
   * of this host that no longer exists (killed) is taken over at once instead of waiting out its expiry.
   */
  claim(id: string, owner: string, leaseMs: number, now = Date.now()): boolean {
    diskFullFault(this.db.name, 'state');
    const tx = this.db.transaction(() => {
      const r = this.db.prepare('SELECT lease_owner, lease_until FROM executions WHERE id = ?').get(id) as
        | { lease_owner: string | null; lease_until: number | null }
        | undefined;
      if (!r) return false;
      const free = r.lease_owner === null || r.lease_owner === owner || (r.lease_until ?? 0) < now || ownerIsDead(r.lease_owner);
      if (!free) return false;
      this.db.prepare('UPDATE executions SET lease_owner = ?, lease_until = ? WHERE id = ?').run(owner, now + leaseMs, id);
      return true;
    });
    return tx.immediate();
  }

  release(id: string, owner: string): void {
    diskFullFault(this.db.name, 'state');
    this.db.prepare('UPDATE executions SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?').run(id, owner);
  }

  /** Releases leases of dead local processes, so executions they drove are picked up now. */
  reclaimDead(): void {
    const rows = this.db.prepare('SELECT id, lease_owner FROM executions WHERE lease_owner IS NOT NULL').all() as Array<{ id: string; lease_owner: string }>;
    for (const r of rows)
      if (ownerIsDead(r.lease_owner))
        this.db.prepare('UPDATE executions SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?').run(r.id, r.lease_owner);
  }
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
