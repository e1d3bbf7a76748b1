/**
 * Runs executions: starts them (every trigger goes through {@link Orchestrator.start}), and
 * schedules the due ones onto drivers, up to `concurrency` at once. The work is split in three:
 *
 * ```
 * Orchestrator   tick ─ due executions (running, or waiting with wake_at passed) ─ claim a lease
 *   └ ExecutionDriver.drive(id)    history -> plan -> append records | start side effects | park
 *       ├ plan (plan.ts)           pure: which state next, from the pipeline and the history alone
 *       └ ActivityRunner.perform   side effects (activities, commands, approval notices) -> facts
 * ```
 *
 * Nothing lives only in memory: a process killed at any instant resumes on restart from the
 * recorded history, and a step whose result is recorded is never run again.
 */
import { realpath } from 'node:fs/promises';
import { resolve as resolvePathFs } from 'node:path';
import pino, { type Logger } from 'pino';
import { SluiceError } from '../core/errors.js';
import type { ActivityRegistry } from './activities/ActivityRegistry.js';
import type { Pipeline } from './definition/pipelineSchema.js';
import { wirePipeline } from './definition/wirePipeline.js';
import type { ExecutionEvent } from './events.js';
import { ActivityRunner } from './orchestrator/ActivityRunner.js';
import type { ApprovalNotifier } from './orchestrator/ApprovalNotifier.js';
import { DiskFullHolds, type DiskFullRetry } from './orchestrator/DiskFullHolds.js';
import { DriveLoop } from './orchestrator/DriveLoop.js';
import { EventLog } from './orchestrator/EventLog.js';
import { ExecutionDriver } from './orchestrator/ExecutionDriver.js';
import { pendingPause } from './orchestrator/pendingPause.js';
import { QueuedActivityRunner } from './orchestrator/QueuedActivityRunner.js';
import { type ActivityJob, queueOfTask, runOfAttempt } from './queue/ActivityJob.js';
import type { ActivityQueue } from './queue/ActivityQueue.js';
import type { ProjectLayout } from '../core/projectLayout.js';
import { leaseOwnerId, type ExecutionInput, type ExecutionRecord, type ExecutionStore } from './store/ExecutionStore.js';
import { sha256File, type ReadLimits } from './triggers/readInputFile.js';

export type { ApprovalNotifier };

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
  diskFullRetry?: DiskFullRetry;
  /**
   * The duplicate rule (sluice.yaml `duplicates: process`): a file whose content (sha256) was
   * processed before starts a new execution instead of a `skipped` one. Default false.
   */
  processDuplicates?: boolean;
  /**
   * The job queue activity runs go through (`sluice worker`; PostgreSQL state). Without one
   * (the embedded default) activities run in this process.
   */
  queue?: ActivityQueue;
}

/** How a trigger starts an execution: which pipeline, its id (the archive folder's), duplicates. */
export interface StartOptions {
  pipeline?: Pipeline | undefined;
  /** The execution id, when the trigger named the file's archive folder after it. */
  id?: string | undefined;
  /** Process the content even if it was processed before (a per-request override of the duplicate rule). */
  allowDuplicate?: boolean | undefined;
}

const TERMINAL = new Set(['succeeded', 'failed', 'skipped']);

export class Orchestrator {
  readonly store: ExecutionStore;
  readonly owner = leaseOwnerId();
  private readonly log: Logger;
  private readonly events: EventLog;
  private readonly driver: ExecutionDriver;
  private readonly loop: DriveLoop;
  private readonly queued: QueuedActivityRunner;

  constructor(private readonly opts: OrchestratorOptions) {
    this.store = opts.store;
    this.log = opts.logger ?? pino({ level: 'silent' });
    const leaseMs = opts.leaseMs ?? 30_000;
    const shutdown = new AbortController();
    this.events = new EventLog(opts.store, this.log, opts.onEvent);
    const holds = new DiskFullHolds(opts.diskFullRetry);
    const runner = new ActivityRunner({
      activities: opts.activities,
      project: opts.project,
      events: this.events,
      log: this.log,
      shutdown: shutdown.signal,
      approvals: opts.approvals,
      config: opts.config,
      state: opts.store.db,
      diskFullRetry: opts.diskFullRetry,
      owner: this.owner,
    });
    const definitionOf = (rec: ExecutionRecord) => wirePipeline(rec.definition).pipeline;
    const maxStartsWithoutResult = opts.maxStartsWithoutResult ?? 5;
    const queue = opts.queue;
    this.queued = new QueuedActivityRunner({ events: this.events, runner, log: this.log, maxStartsWithoutResult, definitionOf, shutdown: shutdown.signal });
    this.driver = new ExecutionDriver({
      events: this.events,
      runner,
      holds,
      log: this.log,
      owner: this.owner,
      leaseMs,
      shutdown: shutdown.signal,
      maxStartsWithoutResult,
      guard: (what, fn) => this.loop.guard(what, fn),
      // Executions recorded before inputs were wired get the wiring their pipeline has today.
      definitionOf,
      ...(queue
        ? {
            dispatch: {
              send: (rec, cmd, history) =>
                queue.send(queueOfTask(cmd.task), {
                  executionId: rec.id,
                  step: cmd.step,
                  attempt: cmd.attempt,
                  run: runOfAttempt(history, cmd.step, cmd.attempt),
                }),
              recheckMs: Math.max(leaseMs, 10 * (opts.pollMs ?? 500)),
            },
          }
        : {}),
    });
    this.loop = new DriveLoop({
      store: opts.store,
      driver: this.driver,
      holds,
      log: this.log,
      owner: this.owner,
      leaseMs,
      concurrency: Math.max(1, opts.concurrency ?? 4),
      pollMs: opts.pollMs ?? 500,
      shutdown,
      queued: queue !== undefined,
    });
  }

  /** Runs a job taken from the queue (in a worker): the attempt it names, if the history still asks for it. */
  runQueued(job: ActivityJob, lease: AbortSignal): Promise<void> {
    return this.queued.run(job, lease);
  }

  /** Bounds on reading input files. */
  get readLimits(): ReadLimits | undefined {
    return this.opts.readLimits;
  }

  /** The pipeline new executions use by default. */
  get pipeline(): Pipeline | undefined {
    return this.opts.pipeline;
  }

  /**
   * Starts an execution (recorded before this returns) and lets the loop pick it up. The one
   * place the duplicate rule applies: an input whose sha256 an earlier execution processed is
   * recorded as `skipped`, naming the original, unless duplicates are processed (sluice.yaml
   * `duplicates: process`, or `allowDuplicate` for this start).
   */
  async start(input: ExecutionInput, opts: StartOptions = {}): Promise<ExecutionRecord> {
    const pipeline = opts.pipeline ?? this.opts.pipeline;
    if (!pipeline) throw new SluiceError('PIPELINE_MISSING', 'no pipeline to start', { hint: 'configure `pipeline` in sluice.yaml or pass one' });
    const allowDuplicate = opts.allowDuplicate === true || this.opts.processDuplicates === true;
    const rec = await this.store.create(pipeline, input, { ...(allowDuplicate ? { allowDuplicate: true } : {}), ...(opts.id ? { id: opts.id } : {}) });
    this.log.info(
      { executionId: rec.id, file: rec.file, status: rec.status, duplicateOf: rec.duplicateOf, trigger: input.trigger },
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
  async startFile(path: string, opts: StartOptions & { input?: Record<string, unknown> } = {}): Promise<ExecutionRecord> {
    const file = await realpath(resolvePathFs(path)).catch(() => resolvePathFs(path));
    const sha256 = await sha256File(file, this.readLimits);
    const { input, ...start } = opts;
    return this.start({ ...input, file, sha256 }, start);
  }

  /** Restarts a failed execution from its failed step; what succeeded is kept. */
  async redrive(id: string, by = 'operator'): Promise<ExecutionRecord> {
    const rec = await this.store.require(id);
    const paused = pendingPause(await this.store.events(id));
    if (paused && rec.status !== 'failed') {
      const resumed = await this.events.appendPlanned(
        id,
        [{ type: 'ExecutionResumed', step: paused.step, data: { attempt: paused.data.attempt, after: 'redrive', by } }],
        rec.lastSeq,
        {
          status: 'running',
          wakeAt: 0,
        },
      );
      if (!resumed) throw new SluiceError('EXECUTION_CHANGED', `execution ${id} changed while resuming; try again`, { httpStatus: 409 });
      this.kick();
      return await this.store.require(id);
    }
    if (rec.status !== 'failed') {
      throw new SluiceError('EXECUTION_NOT_FAILED', `execution ${id} is ${rec.status}; only a failed or paused execution can be redriven`, {
        httpStatus: 409,
        hint: 'redrive re-runs the failed step of a failed execution, or resumes a paused one now',
      });
    }
    const failed = [...(await this.store.events(id))].reverse().find((e) => e.type === 'ExecutionFailed');
    const appended = await this.events.appendPlanned(
      id,
      [{ type: 'ExecutionRedriven', step: failed?.step, data: { by, fromStep: failed?.step ?? null } }],
      rec.lastSeq,
      {
        status: 'running',
        wakeAt: 0,
      },
    );
    if (!appended) throw new SluiceError('EXECUTION_CHANGED', `execution ${id} changed while redriving; try again`, { httpStatus: 409 });
    this.kick();
    return await this.store.require(id);
  }

  /** Runs the scheduling loop until {@link stop}. */
  startLoop(): void {
    this.loop.start();
  }

  /** Stops taking work, aborts activities in flight (they re-run on restart) and waits for the drivers. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Drives every due execution until none is due and none is being driven (executions waiting
   * for a human or a timer stay waiting). For `sluice run --wait`, benchmarks and tests.
   */
  runUntilIdle(): Promise<void> {
    return this.loop.runUntilIdle();
  }

  /** Resolves when the execution has ended (or is waiting, with `orWaiting`). */
  async waitFor(id: string, opts: { orWaiting?: boolean; timeoutMs?: number } = {}): Promise<ExecutionRecord> {
    const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
    for (;;) {
      const r = await this.store.require(id);
      if (TERMINAL.has(r.status) || (opts.orWaiting && r.status === 'waiting')) return r;
      if (Date.now() > deadline) throw new SluiceError('WAIT_TIMEOUT', `execution ${id} is still ${r.status}`, { httpStatus: 504 });
      await sleep(25);
    }
  }

  /** Makes the loop look at the store now (a decision or a new execution was recorded). */
  kick(): void {
    this.loop.kick();
  }

  /** Drives one execution until it ends or parks. The caller holds its lease. */
  drive(id: string): Promise<void> {
    return this.driver.drive(id);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
