/**
 * Drives executions: reads an execution's history, asks the pure {@link plan} what comes next,
 * records it, performs the side effects (activities, timers, approval notices) and records
 * their results, until the execution ends or has to wait (a human, a timer). Nothing lives only
 * in memory: a process killed at any instant resumes on restart from the recorded history, and a
 * step whose result is recorded is never run again.
 *
 * ```
 * tick ─ due executions (running, or waiting with wake_at passed), up to `concurrency`
 *   └ drive(id): loop { history -> plan -> append records | start side effects | park }
 * ```
 */
import { realpath } from 'node:fs/promises';
import { resolve as resolvePathFs } from 'node:path';
import pino, { type Logger } from 'pino';
import { SluiceError, toSluiceError } from '../core/errors.js';
import type { Activity } from './activities/Activity.js';
import type { ActivityRegistry } from './activities/ActivityRegistry.js';
import { runCommandActivity } from './activities/runCommandActivity.js';
import { durationMs } from './definition/duration.js';
import type { ApprovalState, Pipeline } from './definition/pipelineSchema.js';
import type { ExecutionEvent, NewEvent, RecordedError } from './events.js';
import { commandKey, plan, type Command } from './plan.js';
import type { ProjectLayout } from '../core/projectLayout.js';
import { diskFullOf, type DiskFull } from '../engine/diskFull.js';
import { sha256File, type ReadLimits } from './triggers/readInputFile.js';
import { leaseOwnerId, type ExecutionInput, type ExecutionRecord, type ExecutionStore } from './store/ExecutionStore.js';

/** Tells approvers that a decision is wanted (creating their single-use tokens). */
export interface ApprovalNotifier {
  notify(req: {
    execution: ExecutionRecord;
    step: string;
    state: ApprovalState;
    notice: 'request' | 'reminder';
    n: number;
    expiresAt: string;
    results: Record<string, unknown>;
  }): Promise<{ channels: string[]; recipients: string[]; errors: string[] }>;
}

export interface OrchestratorOptions {
  store: ExecutionStore;
  activities: ActivityRegistry;
  project: ProjectLayout;
  /** Pipeline used by {@link Orchestrator.start} when none is given. */
  pipeline?: Pipeline;
  /** Executions driven at once (waiting ones do not count). Default 4. */
  concurrency?: number;
  logger?: Logger;
  approvals?: ApprovalNotifier;
  /** How often the store is polled for work written by other processes (decisions). Default 500 ms. */
  pollMs?: number;
  leaseMs?: number;
  config?: unknown;
  /** Bounds on reading an input file (sluice.yaml `inputLimits`); 10 GiB and 10 minutes by default. */
  readLimits?: ReadLimits;
  /**
   * An attempt started this many times without a result (the process died each time it ran)
   * fails with ACTIVITY_CRASHED instead of being started again. Default 5.
   */
  maxStartsWithoutResult?: number;
  /** Called after each recorded event (logs, live console, tests). */
  onEvent?: (e: ExecutionEvent) => void;
  /**
   * A step that hits a full disk (ENOSPC, SQLITE_FULL) pauses and is tried again after
   * `firstMs`, doubling up to `maxMs` (sluice.yaml `diskFull`). Default 5 s and 5 min.
   */
  diskFullRetry?: { firstMs: number; maxMs: number };
}

const TERMINAL = new Set(['succeeded', 'failed', 'skipped']);

export { sha256File };

export class Orchestrator {
  readonly store: ExecutionStore;
  readonly owner = leaseOwnerId();
  private readonly log: Logger;
  private readonly concurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private readonly active = new Map<string, Promise<void>>();
  private readonly wakers = new Map<string, () => void>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopping = false;
  private readonly shutdown = new AbortController();
  /**
   * Executions whose state could not be recorded because the database's disk is full: not driven
   * again before `until`; the pause is recorded once the database accepts writes again.
   */
  private readonly held = new Map<string, DiskFull & { until: number; n: number; since: number }>();

  constructor(private readonly opts: OrchestratorOptions) {
    this.store = opts.store;
    this.log = opts.logger ?? pino({ level: 'silent' });
    this.concurrency = Math.max(1, opts.concurrency ?? 4);
    this.pollMs = opts.pollMs ?? 500;
    this.leaseMs = opts.leaseMs ?? 30_000;
  }

  /** Bounds on reading input files. */
  get readLimits(): ReadLimits | undefined {
    return this.opts.readLimits;
  }

  /** The pipeline new executions use by default. */
  get pipeline(): Pipeline | undefined {
    return this.opts.pipeline;
  }

  /** Starts an execution (recorded before this returns) and lets the loop pick it up. */
  start(input: ExecutionInput, opts: { pipeline?: Pipeline; allowDuplicate?: boolean } = {}): ExecutionRecord {
    const pipeline = opts.pipeline ?? this.opts.pipeline;
    if (!pipeline) throw new SluiceError('PIPELINE_MISSING', 'no pipeline to start', { hint: 'configure `pipeline` in sluice.yaml or pass one' });
    const rec = this.store.create(pipeline, input, opts.allowDuplicate ? { allowDuplicate: true } : {});
    this.log.info(
      { executionId: rec.id, file: rec.file, status: rec.status, duplicateOf: rec.duplicateOf },
      rec.status === 'skipped' ? 'duplicate content, execution skipped' : 'execution started',
    );
    this.kick();
    return rec;
  }

  /**
   * Starts an execution for a file: its content hash detects a file already processed. The file
   * is recorded by its real path (symbolic links resolved) and must be a regular data file read
   * within `readLimits`; where it may come from is the caller's check (the server's: admitInputFile).
   */
  async startFile(path: string, opts: { pipeline?: Pipeline; allowDuplicate?: boolean; input?: Record<string, unknown> } = {}): Promise<ExecutionRecord> {
    const file = await realpath(resolvePathFs(path)).catch(() => resolvePathFs(path));
    const sha256 = await sha256File(file, this.readLimits);
    return this.start({ ...opts.input, file, sha256 }, opts);
  }

  /** Restarts a failed execution from its failed step; what succeeded is kept. */
  redrive(id: string, by = 'operator'): ExecutionRecord {
    const rec = this.store.require(id);
    const paused = pendingPause(this.store.events(id));
    if (paused && rec.status !== 'failed') {
      const resumed = this.store.append(
        id,
        [{ type: 'ExecutionResumed', step: paused.step, data: { attempt: paused.data.attempt, after: 'redrive', by } }],
        rec.lastSeq,
        { status: 'running', wakeAt: 0 },
      );
      if (!resumed) throw new SluiceError('EXECUTION_CHANGED', `execution ${id} changed while resuming; try again`, { httpStatus: 409 });
      this.emit(resumed);
      this.kick();
      return this.store.require(id);
    }
    if (rec.status !== 'failed') {
      throw new SluiceError('EXECUTION_NOT_FAILED', `execution ${id} is ${rec.status}; only a failed or paused execution can be redriven`, {
        httpStatus: 409,
        hint: 'redrive re-runs the failed step of a failed execution, or resumes a paused one now',
      });
    }
    const failed = [...this.store.events(id)].reverse().find((e) => e.type === 'ExecutionFailed');
    const appended = this.store.append(id, [{ type: 'ExecutionRedriven', step: failed?.step, data: { by, fromStep: failed?.step ?? null } }], rec.lastSeq, {
      status: 'running',
      wakeAt: 0,
    });
    if (!appended) throw new SluiceError('EXECUTION_CHANGED', `execution ${id} changed while redriving; try again`, { httpStatus: 409 });
    this.emit(appended);
    this.kick();
    return this.store.require(id);
  }

  /** Runs the scheduling loop until {@link stop}. */
  startLoop(): void {
    if (this.running) return;
    this.running = true;
    this.guard('reclaiming leases', () => this.store.reclaimDead());
    this.kick();
  }

  /** Stops taking work, aborts activities in flight (they re-run on restart) and waits for the drivers. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.shutdown.abort(new SluiceError('SHUTDOWN', 'the orchestrator is stopping'));
    for (const w of this.wakers.values()) w();
    await Promise.allSettled([...this.active.values()]);
  }

  /**
   * Drives every due execution until none is due and none is being driven (executions waiting
   * for a human or a timer stay waiting). For `sluice run --wait`, benchmarks and tests.
   */
  async runUntilIdle(): Promise<void> {
    this.running = true;
    this.store.reclaimDead();
    try {
      for (;;) {
        this.tick(false);
        if (this.active.size === 0) {
          if (this.store.due(Date.now(), 1, new Set()).length === 0) return;
          await sleep(20);
          continue;
        }
        await Promise.race(this.active.values());
      }
    } finally {
      this.running = false;
    }
  }

  /** Resolves when the execution has ended (or is waiting, with `orWaiting`). */
  async waitFor(id: string, opts: { orWaiting?: boolean; timeoutMs?: number } = {}): Promise<ExecutionRecord> {
    const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
    for (;;) {
      const r = this.store.require(id);
      if (TERMINAL.has(r.status) || (opts.orWaiting && r.status === 'waiting')) return r;
      if (Date.now() > deadline) throw new SluiceError('WAIT_TIMEOUT', `execution ${id} is still ${r.status}`, { httpStatus: 504 });
      await sleep(25);
    }
  }

  /** Makes the loop look at the store now (a decision or a new execution was recorded). */
  kick(): void {
    if (!this.running || this.stopping) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(true), 0);
  }

  private tick(reschedule: boolean): void {
    if (this.stopping) return;
    // The store failing (a full disk) must never take the process down: log it and poll again.
    this.guard('scheduling', () => this.schedule());
    // Other processes (a CLI approving, another `sluice run`) write to the store too: poll.
    for (const w of this.wakers.values()) w();
    if (reschedule && this.running) {
      if (this.timer) clearTimeout(this.timer);
      let next: number | null = null;
      this.guard('scheduling', () => (next = this.store.nextWake()));
      const delay = next === null ? this.pollMs : Math.max(5, Math.min(this.pollMs, next - Date.now()));
      this.timer = setTimeout(() => this.tick(true), delay);
    }
  }

  private schedule(): void {
    const now = Date.now();
    const free = this.concurrency - this.active.size;
    if (free <= 0) return;
    const busy = new Set([...this.active.keys(), ...[...this.held].filter(([, h]) => h.until > now).map(([id]) => id)]);
    // Held executions keep this process's lease (releasing it failed too): take them up again here.
    const ready = [...this.held].filter(([id, h]) => h.until <= now && !this.active.has(id)).map(([id]) => id);
    for (const id of [...ready, ...this.store.due(now, free, new Set([...busy, ...ready]))].slice(0, free)) {
      if (!this.store.claim(id, this.owner, this.leaseMs, now)) continue;
      const p = this.drive(id)
        .catch((e: unknown) => {
          const full = diskFullOf(e);
          if (full) return this.hold(id, full);
          this.log.error({ executionId: id, err: e }, 'driving the execution failed; it will be retried');
          try {
            this.store.setState(id, { status: 'running', current: this.store.get(id)?.current ?? [], wakeAt: Date.now() + 5000 });
          } catch {
            /* the store itself failed; the lease expiry will hand it over */
          }
        })
        .finally(() => {
          this.active.delete(id);
          this.guard('releasing a lease', () => this.store.release(id, this.owner));
          this.kick();
        });
      this.active.set(id, p);
    }
  }

  /** Runs a store operation of the loop; a failure is logged (a full disk clearly), never thrown. */
  private guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const full = diskFullOf(e);
      if (full)
        this.log.error(
          { code: full.code, path: full.path },
          `disk full while ${what}: ${full.message}; free space on the disk holding ${full.path ?? 'the project state'} (docs/operations.md#disk-space)`,
        );
      else this.log.error({ err: e }, `the execution store failed while ${what}`);
    }
  }

  /** The database could not record an execution's state (disk full): drive it again after a backoff. */
  private hold(id: string, full: DiskFull): void {
    const prev = this.held.get(id);
    const n = (prev?.n ?? 0) + 1;
    const delay = this.retryDelay(n);
    this.held.set(id, { ...full, n, until: Date.now() + delay, since: prev?.since ?? Date.now() });
    this.log.error(
      { executionId: id, code: full.code, path: full.path, retryInMs: delay },
      `disk full: execution ${id} is paused, its state cannot be recorded (${full.message}); trying again in ${Math.round(delay / 1000)}s`,
    );
  }

  private retryDelay(n: number): number {
    const { firstMs, maxMs } = this.opts.diskFullRetry ?? { firstMs: 5000, maxMs: 300_000 };
    return Math.min(firstMs * 2 ** (n - 1), maxMs);
  }

  /** Drives one execution until it ends or parks. The caller holds its lease. */
  async drive(id: string): Promise<void> {
    const rec = this.store.require(id);
    const pipeline = rec.definition;
    const inflight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
    let changed: () => void = () => undefined;
    // A side effect's result that could not be recorded (a full disk): the drive stops and is retried.
    let failure: { error: unknown } | undefined;
    const renew = setInterval(() => this.guard('renewing a lease', () => this.store.claim(id, this.owner, this.leaseMs)), Math.max(50, this.leaseMs / 3));
    this.wakers.set(id, () => changed());
    try {
      const held = this.held.get(id);
      if (held) {
        // The pause the database could not record when it happened, now that it can.
        const data = {
          reason: 'disk_full',
          code: held.code,
          path: held.path ?? null,
          message: held.message,
          since: new Date(held.since).toISOString(),
          recordedLate: true,
        };
        this.appendFacts(id, [
          { type: 'ExecutionPaused', data },
          { type: 'ExecutionResumed', data: { after: 'space', pausedMs: Date.now() - held.since } },
        ]);
        this.held.delete(id);
      }
      // The history only grows: read what is new since the last turn.
      const history: ExecutionEvent[] = [];
      for (;;) {
        if (this.stopping) return;
        if (failure) throw failure.error;
        history.push(...this.store.events(id, history.at(-1)?.seq ?? 0));
        const lastSeq = history.at(-1)?.seq ?? 0;
        let p;
        try {
          p = plan(pipeline, history);
        } catch (e) {
          const err = recordError(toSluiceError(e, 'PLANNER_ERROR'));
          p = {
            records: [{ type: 'ExecutionFailed', data: { error: err } } as NewEvent],
            commands: [],
            current: [],
            results: {},
            terminal: { status: 'failed' as const, error: err },
          };
        }
        if (p.terminal && inflight.size > 0) {
          // A branch failed while others run: stop them, record what they did, then end.
          for (const f of inflight.values()) f.abort.abort(new SluiceError('CANCELLED', 'another branch failed'));
          await Promise.allSettled([...inflight.values()].map((f) => f.promise));
          continue;
        }
        if (p.records.length > 0) {
          const appended = this.store.append(id, p.records, lastSeq);
          if (appended) this.emit(appended);
          continue;
        }
        if (p.terminal) {
          const last = history.at(-1);
          this.store.setState(id, {
            status: p.terminal.status,
            current: [],
            wakeAt: null,
            outcome: p.terminal.outcome ?? null,
            error: p.terminal.error ?? null,
          });
          this.log.info(
            { executionId: id, status: p.terminal.status, outcome: p.terminal.outcome, error: p.terminal.error, seq: last?.seq },
            'execution ended',
          );
          return;
        }
        let wakeAt: number | null = null;
        let recorded = false;
        for (const cmd of p.commands) {
          const key = commandKey(cmd);
          if (inflight.has(key)) continue;
          if (cmd.kind === 'startTimer') {
            const fireAt = cmd.fireAt ?? new Date(Date.now() + (cmd.delayMs ?? 0)).toISOString();
            recorded = this.appendFacts(id, [{ type: 'TimerStarted', step: cmd.step, data: { timer: cmd.timer, fireAt } }]) || recorded;
            break;
          }
          if (cmd.kind === 'awaitTimer') {
            const t = Date.parse(cmd.fireAt);
            if (t <= Date.now()) {
              recorded = this.appendFacts(id, [{ type: 'TimerFired', step: cmd.step, data: { timer: cmd.timer } }]) || recorded;
              break;
            }
            wakeAt = wakeAt === null ? t : Math.min(wakeAt, t);
            continue;
          }
          if (cmd.kind === 'requestApproval') {
            const expiresAt = new Date(Date.now() + durationMs(cmd.approval.timeout)).toISOString();
            const data = { approvers: cmd.approval.approvers ?? null, expiresAt, default: cmd.approval.default };
            recorded = this.appendFacts(id, [{ type: 'ApprovalRequested', step: cmd.step, data }], { status: 'waiting' }) || recorded;
            break;
          }
          if (cmd.kind === 'runActivity') {
            // Every recorded start of this attempt happened in a process that died before the
            // result (this one is not running it): a step that keeps killing the process (out of
            // memory, a native crash) fails instead of crash-looping the orchestrator.
            // A pause (full disk) is a result, and a resume starts the count again.
            const resumedSeq = Math.max(0, ...history.filter((e) => e.type === 'ExecutionResumed').map((e) => e.seq));
            const starts = history.filter(
              (e) => e.type === 'ActivityStarted' && e.step === cmd.step && e.data.attempt === cmd.attempt && e.seq > resumedSeq,
            ).length;
            if (starts >= (this.opts.maxStartsWithoutResult ?? 5)) {
              const error: RecordedError = {
                code: 'ACTIVITY_CRASHED',
                retryable: false,
                message: `step ${cmd.step} (attempt ${cmd.attempt}) was started ${starts} times and the process died each time before it finished`,
                hint: 'look for an out-of-memory kill or a native crash in the logs; fix it, then redrive the execution',
              };
              recorded = this.appendFacts(id, [{ type: 'ActivityFailed', step: cmd.step, data: { attempt: cmd.attempt, error } }]) || recorded;
              break;
            }
          }
          const abort = new AbortController();
          const promise = this.perform(rec, cmd, p.results, abort.signal)
            .catch((error: unknown) => {
              failure ??= { error };
            })
            .finally(() => {
              inflight.delete(key);
              changed();
            });
          inflight.set(key, { promise, abort });
        }
        if (recorded) continue;
        const status = inflight.size > 0 ? 'running' : 'waiting';
        this.store.setState(id, { status, current: p.current, wakeAt: inflight.size > 0 ? 0 : wakeAt });
        if (inflight.size === 0) {
          // Parked: nothing to do until a timer fires or someone decides. Re-check once in case a
          // decision landed between our read and the park (the store wakes it otherwise).
          if (this.store.lastSeq(id) !== lastSeq) this.store.wake(id);
          return;
        }
        let sleeper: NodeJS.Timeout | undefined;
        await new Promise<void>((res) => {
          changed = res;
          if (wakeAt !== null) sleeper = setTimeout(res, Math.max(0, wakeAt - Date.now()));
        });
        if (sleeper) clearTimeout(sleeper);
        changed = () => undefined;
      }
    } finally {
      clearInterval(renew);
      this.wakers.delete(id);
      for (const f of inflight.values()) f.abort.abort(new SluiceError('SHUTDOWN', 'stopping'));
      await Promise.allSettled([...inflight.values()].map((f) => f.promise));
    }
  }

  /** Performs a side effect and records its result as facts. */
  private async perform(rec: ExecutionRecord, cmd: Command, results: Record<string, unknown>, cancel: AbortSignal): Promise<void> {
    if (cmd.kind === 'notifyApproval') {
      const requested = this.store.events(rec.id).find((e) => e.type === 'ApprovalRequested' && e.step === cmd.step);
      let outcome: { channels: string[]; recipients: string[]; errors: string[] } = { channels: [], recipients: [], errors: ['no notifier is configured'] };
      if (this.opts.approvals) {
        try {
          outcome = await this.opts.approvals.notify({
            execution: rec,
            step: cmd.step,
            state: cmd.approval,
            notice: cmd.notice,
            n: cmd.n,
            expiresAt: String(requested?.data.expiresAt),
            results,
          });
        } catch (e) {
          outcome = { channels: [], recipients: [], errors: [toSluiceError(e).message] };
        }
      }
      if (this.stopping) return;
      this.appendFacts(rec.id, [{ type: 'ApprovalNotified', step: cmd.step, data: { notice: cmd.notice, n: cmd.n, ...outcome } }]);
      return;
    }
    if (cmd.kind !== 'runActivity') return;
    const { step, attempt, task } = cmd;
    this.appendFacts(rec.id, [{ type: 'ActivityStarted', step, data: { attempt } }]);
    const abort = new AbortController();
    const onCancel = () => abort.abort(cancel.reason);
    cancel.addEventListener('abort', onCancel);
    this.shutdown.signal.addEventListener('abort', onCancel);
    const timeoutMs = task.timeout !== undefined ? durationMs(task.timeout) : undefined;
    let timer: NodeJS.Timeout | undefined;
    const started = Date.now();
    try {
      const run: Activity<any, unknown> =
        task.command !== undefined ? (input, ctx) => runCommandActivity(task.command!, input, ctx) : this.opts.activities.get(task.activity!);
      const ctx = {
        executionId: rec.id,
        step,
        attempt,
        idempotencyKey: `${rec.id}:${step}`,
        signal: abort.signal,
        project: this.opts.project,
        execution: { input: rec.input, results },
        log: this.log.child({ executionId: rec.id, step, attempt }),
        config: this.opts.config,
      };
      const aborted = new Promise<never>((_, reject) => {
        abort.signal.addEventListener('abort', () => reject(abort.signal.reason), { once: true });
        if (timeoutMs !== undefined) {
          timer = setTimeout(
            () =>
              abort.abort(
                new SluiceError('ACTIVITY_TIMEOUT', `step ${step} took longer than ${String(task.timeout)}`, {
                  retryable: true,
                  hint: 'raise the task timeout or make the step faster',
                }),
              ),
            timeoutMs,
          );
        }
      });
      const output = await Promise.race([Promise.resolve().then(() => run(cmd.input as Record<string, unknown>, ctx)), aborted]);
      if (this.stopping && this.shutdown.signal.aborted) return;
      this.appendFacts(rec.id, [{ type: 'ActivitySucceeded', step, data: { attempt, output: toJson(output), ms: Date.now() - started } }]);
    } catch (e) {
      // On shutdown the attempt is not a failure: it re-runs when the orchestrator restarts.
      if (this.shutdown.signal.aborted) return;
      const full = diskFullOf(e);
      if (full) {
        this.pause(rec.id, step, attempt, full);
        return;
      }
      const err = recordError(toSluiceError(e, 'ACTIVITY_FAILED'));
      this.log.warn({ executionId: rec.id, step, attempt, error: err }, 'activity failed');
      this.appendFacts(rec.id, [{ type: 'ActivityFailed', step, data: { attempt, error: err, ms: Date.now() - started } }]);
    } finally {
      if (timer) clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
      this.shutdown.signal.removeEventListener('abort', onCancel);
    }
  }

  /**
   * A step hit a full disk: the execution waits (its attempt not failed, its retries not used)
   * and the step runs again at `resumeAt`, backing off while the disk stays full, or at once
   * with `sluice executions redrive`.
   */
  private pause(id: string, step: string, attempt: number, full: DiskFull): void {
    const n = this.store.events(id).filter((e) => e.type === 'ExecutionPaused' && e.step === step && e.data.attempt === attempt).length + 1;
    const delay = this.retryDelay(n);
    const resumeAt = new Date(Date.now() + delay).toISOString();
    this.log.error(
      { executionId: id, step, code: full.code, path: full.path, resumeAt },
      `disk full: ${step} of ${id} paused (${full.message}); trying again at ${resumeAt}, or now with "sluice executions redrive ${id}"`,
    );
    this.appendFacts(id, [
      {
        type: 'ExecutionPaused',
        step,
        data: { attempt, reason: 'disk_full', code: full.code, path: full.path ?? null, message: full.message, pause: n, resumeAt },
      },
    ]);
  }

  /** Appends events that record things that happened (results), whatever else was appended meanwhile. */
  private appendFacts(id: string, events: NewEvent[], changes: { status?: 'waiting' } = {}): boolean {
    for (let i = 0; i < 100; i++) {
      const last = this.store.lastSeq(id);
      if (last < 0) throw new SluiceError('EXECUTION_NOT_FOUND', `no execution ${id}`, { httpStatus: 404 });
      const appended = this.store.append(id, events, last, changes);
      if (appended) {
        this.emit(appended);
        return true;
      }
    }
    throw new SluiceError('STORE_CONTENTION', `could not record events for ${id}`);
  }

  private emit(events: ExecutionEvent[]): void {
    for (const e of events) {
      this.log.info({ executionId: e.executionId, seq: e.seq, event: e.type, step: e.step }, `${e.type}${e.step ? ` ${e.step}` : ''}`);
      this.opts.onEvent?.(e);
    }
  }
}

/** The last pause of a step not yet followed by a resume, if any. */
export function pendingPause(history: readonly ExecutionEvent[]): ExecutionEvent | undefined {
  const paused = history.filter((e) => e.type === 'ExecutionPaused' && e.step !== undefined).at(-1);
  if (!paused || history.some((e) => e.type === 'ExecutionResumed' && e.seq > paused.seq)) return undefined;
  return paused;
}

/** A SluiceError as recorded in the history. */
export function recordError(e: SluiceError): RecordedError {
  return {
    code: e.code,
    message: e.message,
    ...(e.hint ? { hint: e.hint } : {}),
    ...(e.retryable || e.code === 'ACTIVITY_FAILED' || e.code === 'INTERNAL' ? {} : { retryable: false }),
  };
}

function toJson(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
