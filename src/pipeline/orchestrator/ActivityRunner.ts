import type { Logger } from 'pino';
import { SluiceError, toSluiceError } from '../../core/errors.js';
import type { StateDb } from '../../state/StateDb.js';
import { diskFullOf, type DiskFull } from '../../engine/diskFull.js';
import type { Activity, ActivityContext } from '../activities/Activity.js';
import type { ActivityRegistry } from '../activities/ActivityRegistry.js';
import { runCommandActivity } from '../activities/runCommandActivity.js';
import { durationMs } from '../definition/duration.js';
import type { Command } from '../planner/Command.js';
import type { ProjectLayout } from '../../core/projectLayout.js';
import type { ExecutionRecord } from '../store/ExecutionStore.js';
import type { ApprovalNotifier } from './ApprovalNotifier.js';
import { diskFullDelay, type DiskFullRetry } from './DiskFullHolds.js';
import type { EventLog } from './EventLog.js';
import { recordError } from './recordError.js';

export interface ActivityRunnerOptions {
  activities: ActivityRegistry;
  project: ProjectLayout;
  events: EventLog;
  log: Logger;
  /** Aborted when the orchestrator stops: an attempt cut short then is not a failure (it re-runs on restart). */
  shutdown: AbortSignal;
  approvals?: ApprovalNotifier | undefined;
  config?: unknown;
  /** The shared state, handed to activities (ActivityContext.state). */
  state?: StateDb;
  diskFullRetry?: DiskFullRetry | undefined;
  /** Who runs the activities (`host:pid:random`, the lease owner id): recorded in each `ActivityStarted`, so the history says which process ran which attempt. */
  owner: string;
}

/**
 * Performs the side effects the planner asks for (run an activity or a command, tell the
 * approvers) and records each result as facts: `ActivityStarted`, then `ActivitySucceeded`,
 * `ActivityFailed` or (a full disk) `ExecutionPaused`; `ApprovalNotified`. It never decides what
 * comes next; the planner reads these facts.
 */
export class ActivityRunner {
  constructor(private readonly opts: ActivityRunnerOptions) {}

  /** Performs a side effect and records its result as facts. */
  async perform(rec: ExecutionRecord, cmd: Command, results: Record<string, unknown>, cancel: AbortSignal): Promise<void> {
    if (cmd.kind === 'notifyApproval') return this.notifyApproval(rec, cmd);
    if (cmd.kind === 'runActivity') return this.runActivity(rec, cmd, results, cancel);
  }

  private async notifyApproval(rec: ExecutionRecord, cmd: Extract<Command, { kind: 'notifyApproval' }>): Promise<void> {
    const requested = (await this.opts.events.store.events(rec.id)).find((e) => e.type === 'ApprovalRequested' && e.step === cmd.step);
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
          findings: cmd.input.findings,
        });
      } catch (e) {
        outcome = { channels: [], recipients: [], errors: [toSluiceError(e).message] };
      }
    }
    if (this.opts.shutdown.aborted) return;
    await this.opts.events.appendFacts(rec.id, [{ type: 'ApprovalNotified', step: cmd.step, data: { notice: cmd.notice, n: cmd.n, ...outcome } }]);
  }

  /**
   * Runs an activity and records its start and result. `shutdown` (the orchestrator stopping, or
   * a queued run's lease lost) cuts it short without recording a result: it runs again later.
   */
  async runActivity(
    rec: ExecutionRecord,
    cmd: Extract<Command, { kind: 'runActivity' }>,
    results: Record<string, unknown>,
    cancel: AbortSignal,
    shutdown: AbortSignal = this.opts.shutdown,
  ): Promise<void> {
    const { step, attempt, task } = cmd;
    const { events } = this.opts;
    await events.appendFacts(rec.id, [{ type: 'ActivityStarted', step, data: { attempt, by: this.opts.owner } }]);
    const abort = new AbortController();
    const onCancel = () => abort.abort(cancel.reason);
    cancel.addEventListener('abort', onCancel);
    shutdown.addEventListener('abort', onCancel);
    const timeoutMs = task.timeout !== undefined ? durationMs(task.timeout) : undefined;
    let timer: NodeJS.Timeout | undefined;
    const started = Date.now();
    try {
      // biome-ignore lint/suspicious/noExplicitAny: an activity's input is the JSON its step was given; each activity types it itself
      const run: Activity<any, unknown> =
        task.command !== undefined ? (input, ctx) => runCommandActivity(task.command!, input, ctx) : this.opts.activities.get(task.activity!);
      const ctx: ActivityContext = {
        executionId: rec.id,
        step,
        attempt,
        idempotencyKey: `${rec.id}:${step}`,
        signal: abort.signal,
        project: this.opts.project,
        execution: { input: rec.input, results },
        log: this.opts.log.child({ executionId: rec.id, step, attempt }),
        config: this.opts.config,
        ...(this.opts.state ? { state: this.opts.state } : {}),
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
      if (shutdown.aborted) return;
      await events.appendResult(rec.id, { type: 'ActivitySucceeded', step, data: { attempt, output: toJson(output), ms: Date.now() - started } });
    } catch (e) {
      // On shutdown the attempt is not a failure: it re-runs when the orchestrator restarts.
      if (shutdown.aborted) return;
      const full = diskFullOf(e);
      if (full) {
        await this.pause(rec.id, step, attempt, full);
        return;
      }
      const err = recordError(toSluiceError(e, 'ACTIVITY_FAILED'));
      this.opts.log.warn({ executionId: rec.id, step, attempt, error: err }, 'activity failed');
      await events.appendResult(rec.id, { type: 'ActivityFailed', step, data: { attempt, error: err, ms: Date.now() - started } });
    } finally {
      if (timer) clearTimeout(timer);
      cancel.removeEventListener('abort', onCancel);
      shutdown.removeEventListener('abort', onCancel);
    }
  }

  /**
   * A step hit a full disk: the execution waits (its attempt not failed, its retries not used)
   * and the step runs again at `resumeAt`, backing off while the disk stays full, or at once
   * with `sluice executions redrive`.
   */
  private async pause(id: string, step: string, attempt: number, full: DiskFull): Promise<void> {
    const { events } = this.opts;
    const n = (await events.store.events(id)).filter((e) => e.type === 'ExecutionPaused' && e.step === step && e.data.attempt === attempt).length + 1;
    const resumeAt = new Date(Date.now() + diskFullDelay(n, this.opts.diskFullRetry)).toISOString();
    this.opts.log.error(
      { executionId: id, step, code: full.code, path: full.path, resumeAt },
      `disk full: ${step} of ${id} paused (${full.message}); trying again at ${resumeAt}, or now with "sluice executions redrive ${id}"`,
    );
    await events.appendResult(id, {
      type: 'ExecutionPaused',
      step,
      data: { attempt, reason: 'disk_full', code: full.code, path: full.path ?? null, message: full.message, pause: n, resumeAt },
    });
  }
}

function toJson(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}
