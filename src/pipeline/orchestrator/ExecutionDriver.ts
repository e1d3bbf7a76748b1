import type { Logger } from 'pino';
import { SluiceError } from '../../core/errors.js';
import { durationMs } from '../definition/duration.js';
import type { Pipeline } from '../definition/pipelineSchema.js';
import type { ExecutionEvent, NewEvent } from '../events.js';
import type { Plan } from '../plan.js';
import { commandKey, type Command } from '../planner/Command.js';
import type { ExecutionRecord } from '../store/ExecutionStore.js';
import type { ActivityRunner } from './ActivityRunner.js';
import type { DiskFullHolds } from './DiskFullHolds.js';
import type { EventLog } from './EventLog.js';
import { crashedAttempt } from './crashedAttempt.js';
import { planOrFail } from './planOrFail.js';

export interface ExecutionDriverOptions {
  events: EventLog;
  runner: ActivityRunner;
  holds: DiskFullHolds;
  log: Logger;
  /** This process's lease owner id, and how long a lease lasts (renewed every third of it). */
  owner: string;
  leaseMs: number;
  /** Aborted when the orchestrator stops: the drive returns, activities in flight are aborted. */
  shutdown: AbortSignal;
  /** An attempt started this many times without a result fails with ACTIVITY_CRASHED. */
  maxStartsWithoutResult: number;
  /** Runs a store operation whose failure must be logged, never thrown (lease renewal). */
  guard: (what: string, fn: () => Promise<unknown>) => Promise<void>;
  /** The pipeline an execution runs, as recorded with it (the orchestrator may normalise it). */
  definitionOf?: (rec: ExecutionRecord) => Pipeline;
  /**
   * Hands activity runs to workers (the job queue) instead of running them here. The execution
   * is then parked while they run, and woken by the worker that records the result; it is also
   * looked at again every `recheckMs` (the run is sent again, which is a no-op unless it was lost).
   */
  dispatch?: {
    send: (rec: ExecutionRecord, cmd: Extract<Command, { kind: 'runActivity' }>, history: readonly ExecutionEvent[]) => Promise<void>;
    recheckMs: number;
  };
}

type Inflight = Map<string, { promise: Promise<void>; abort: AbortController }>;

/**
 * Drives one execution: reads its history, asks the pure {@link plan} what comes next, records
 * it, starts the side effects (through the {@link ActivityRunner}) and timers, until the
 * execution ends or has to wait (a human, a timer). Nothing lives only in memory: a process
 * killed at any instant resumes from the recorded history.
 *
 * ```
 * drive(id): loop { history -> plan -> append records | start side effects | park }
 * ```
 */
export class ExecutionDriver {
  /** Wakes the drive of an execution (a side effect finished, or another process wrote to it). */
  private readonly wakers = new Map<string, () => void>();

  constructor(private readonly opts: ExecutionDriverOptions) {}

  /** Makes every drive look at its history again (other processes write to the store too). */
  wakeAll(): void {
    for (const w of this.wakers.values()) w();
  }

  /** Drives one execution until it ends or parks. The caller holds its lease. */
  async drive(id: string): Promise<void> {
    const { events, shutdown } = this.opts;
    const store = events.store;
    const rec = await store.require(id);
    const pipeline = this.opts.definitionOf ? this.opts.definitionOf(rec) : rec.definition;
    const inflight: Inflight = new Map();
    // Runs handed to workers during this drive (sent once per drive; a later drive sends again, a no-op).
    const sent = new Set<string>();
    let changed: () => void = () => undefined;
    // A side effect's result that could not be recorded (a full disk): the drive stops and is retried.
    let failure: { error: unknown } | undefined;
    const renew = setInterval(
      () => void this.opts.guard('renewing a lease', () => store.claim(id, this.opts.owner, this.opts.leaseMs)),
      Math.max(50, this.opts.leaseMs / 3),
    );
    this.wakers.set(id, () => changed());
    try {
      await this.recordLateHold(id);
      // The history only grows: read what is new since the last turn.
      const history: ExecutionEvent[] = [];
      for (;;) {
        if (shutdown.aborted) return;
        if (failure) throw failure.error;
        history.push(...(await store.events(id, history.at(-1)?.seq ?? 0)));
        const lastSeq = history.at(-1)?.seq ?? 0;
        const p = planOrFail(pipeline, history);
        if (p.terminal && inflight.size > 0) {
          // A branch failed while others run: stop them, record what they did, then end.
          for (const f of inflight.values()) f.abort.abort(new SluiceError('CANCELLED', 'another branch failed'));
          await Promise.allSettled([...inflight.values()].map((f) => f.promise));
          continue;
        }
        if (p.records.length > 0) {
          await events.appendPlanned(id, p.records, lastSeq);
          continue;
        }
        if (p.terminal) {
          await store.setState(id, {
            status: p.terminal.status,
            current: [],
            wakeAt: null,
            outcome: p.terminal.outcome ?? null,
            error: p.terminal.error ?? null,
          });
          this.opts.log.info(
            { executionId: id, status: p.terminal.status, outcome: p.terminal.outcome, error: p.terminal.error, seq: history.at(-1)?.seq },
            'execution ended',
          );
          return;
        }
        const next = await this.startCommands(rec, p, history, inflight, sent, {
          done: () => changed(),
          failed: (error) => {
            failure ??= { error };
          },
        });
        if (next.recorded) continue;
        const status = inflight.size > 0 || next.remote ? 'running' : 'waiting';
        let wakeAt = inflight.size > 0 ? 0 : next.wakeAt;
        if (inflight.size === 0 && next.remote) wakeAt = Math.min(wakeAt ?? Number.POSITIVE_INFINITY, Date.now() + this.opts.dispatch!.recheckMs);
        await store.setState(id, { status, current: p.current, wakeAt });
        if (inflight.size === 0) {
          // Parked: nothing to do until a timer fires or someone decides. Re-check once in case a
          // decision landed between our read and the park (the store wakes it otherwise).
          if ((await store.lastSeq(id)) !== lastSeq) await store.wake(id);
          return;
        }
        let sleeper: NodeJS.Timeout | undefined;
        await new Promise<void>((res) => {
          changed = res;
          if (next.wakeAt !== null) sleeper = setTimeout(res, Math.max(0, next.wakeAt - Date.now()));
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

  /** The pause the database could not record when it happened (a full disk), now that it can. */
  private async recordLateHold(id: string): Promise<void> {
    const held = this.opts.holds.get(id);
    if (!held) return;
    const data = {
      reason: 'disk_full',
      code: held.code,
      path: held.path ?? null,
      message: held.message,
      since: new Date(held.since).toISOString(),
      recordedLate: true,
    };
    await this.opts.events.appendFacts(id, [
      { type: 'ExecutionPaused', data },
      { type: 'ExecutionResumed', data: { after: 'space', pausedMs: Date.now() - held.since } },
    ]);
    this.opts.holds.release(id);
  }

  /**
   * Records the timer and approval facts the plan asks for (one at a time: the plan is read
   * again after each) and starts its side effects not already in flight. Returns whether
   * something was recorded, and the earliest timer to wake up for.
   */
  private async startCommands(
    rec: ExecutionRecord,
    p: Plan,
    history: readonly ExecutionEvent[],
    inflight: Inflight,
    sent: Set<string>,
    on: { done: () => void; failed: (error: unknown) => void },
  ): Promise<{ recorded: boolean; wakeAt: number | null; remote: boolean }> {
    const { events, dispatch } = this.opts;
    let wakeAt: number | null = null;
    let remote = false;
    for (const cmd of p.commands) {
      const key = commandKey(cmd);
      if (inflight.has(key)) continue;
      const fact = this.factFor(cmd, history);
      if (fact === 'wait') {
        const t = Date.parse((cmd as Extract<Command, { kind: 'awaitTimer' }>).fireAt);
        wakeAt = wakeAt === null ? t : Math.min(wakeAt, t);
        continue;
      }
      if (fact) return { recorded: await events.appendFacts(rec.id, [fact.event], fact.changes), wakeAt, remote };
      if (dispatch && cmd.kind === 'runActivity') {
        remote = true;
        if (!sent.has(key)) await dispatch.send(rec, cmd, history);
        sent.add(key);
        continue;
      }
      const abort = new AbortController();
      const promise = this.opts.runner
        .perform(rec, cmd, p.results, abort.signal)
        .catch(on.failed)
        .finally(() => {
          inflight.delete(key);
          on.done();
        });
      inflight.set(key, { promise, abort });
    }
    return { recorded: false, wakeAt, remote };
  }

  /**
   * What a command records without a side effect: a timer started or fired, an approval
   * requested, an attempt that keeps killing the process failed; `wait` for a timer not due yet;
   * undefined when the command is a side effect to perform.
   */
  private factFor(cmd: Command, history: readonly ExecutionEvent[]): { event: NewEvent; changes?: { status: 'waiting' } } | 'wait' | undefined {
    if (cmd.kind === 'startTimer') {
      const fireAt = cmd.fireAt ?? new Date(Date.now() + (cmd.delayMs ?? 0)).toISOString();
      return { event: { type: 'TimerStarted', step: cmd.step, data: { timer: cmd.timer, fireAt } } };
    }
    if (cmd.kind === 'awaitTimer') {
      if (Date.parse(cmd.fireAt) > Date.now()) return 'wait';
      return { event: { type: 'TimerFired', step: cmd.step, data: { timer: cmd.timer } } };
    }
    if (cmd.kind === 'requestApproval') {
      const expiresAt = new Date(Date.now() + durationMs(cmd.approval.timeout)).toISOString();
      const data = { approvers: cmd.approval.approvers ?? null, expiresAt, default: cmd.approval.default };
      return { event: { type: 'ApprovalRequested', step: cmd.step, data }, changes: { status: 'waiting' } };
    }
    if (cmd.kind !== 'runActivity') return undefined;
    const crashed = crashedAttempt(cmd, history, this.opts.maxStartsWithoutResult);
    return crashed ? { event: crashed } : undefined;
  }
}
