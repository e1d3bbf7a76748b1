import type { Logger } from 'pino';
import type { Pipeline } from '../definition/pipelineSchema.js';
import { type ActivityJob, runOfAttempt } from '../queue/ActivityJob.js';
import type { ExecutionRecord } from '../store/ExecutionStore.js';
import type { ActivityRunner } from './ActivityRunner.js';
import { crashedAttempt } from './crashedAttempt.js';
import type { EventLog } from './EventLog.js';
import { planOrFail } from './planOrFail.js';

export interface QueuedActivityRunnerOptions {
  events: EventLog;
  runner: ActivityRunner;
  log: Logger;
  /** An attempt started this many times without a result fails with ACTIVITY_CRASHED. */
  maxStartsWithoutResult: number;
  definitionOf: (rec: ExecutionRecord) => Pipeline;
  /** Aborted when the process stops. */
  shutdown: AbortSignal;
}

const ENDED = new Set(['succeeded', 'failed', 'skipped']);

/**
 * A worker's side of a queued activity run. The job names an execution, step and attempt; the
 * worker plans the execution from its recorded history, as the orchestrator did, and runs the
 * step only if the plan still asks for that attempt (a run whose result is recorded, or whose
 * execution moved on, is done already). It records the start and the result as the orchestrator
 * would in-process (same {@link ActivityRunner}), then wakes the execution so an orchestrator
 * plans what comes next. Effects stay exactly once through the activities' idempotency keys
 * (`<execution>:<step>`), whichever worker runs the attempt and however often.
 *
 * ```
 * job ─ history ─ plan ─ still asked? ─ crashed too often? ─ run (ActivityStarted ... result) ─ wake
 * ```
 */
export class QueuedActivityRunner {
  constructor(private readonly opts: QueuedActivityRunnerOptions) {}

  /** Runs the job's attempt if it is still due. `lease` is aborted when the job's lease is lost. */
  async run(job: ActivityJob, lease: AbortSignal): Promise<void> {
    const { events, log } = this.opts;
    const store = events.store;
    const rec = await store.get(job.executionId);
    if (!rec || ENDED.has(rec.status)) return;
    const history = await store.events(rec.id);
    const p = planOrFail(this.opts.definitionOf(rec), history);
    const cmd = p.commands.find((c) => c.kind === 'runActivity' && c.step === job.step && c.attempt === job.attempt);
    if (cmd?.kind !== 'runActivity' || runOfAttempt(history, job.step, job.attempt) !== job.run) {
      log.debug({ executionId: rec.id, step: job.step, attempt: job.attempt }, 'queued run no longer due (its result is recorded or the execution moved on)');
      return;
    }
    const crashed = crashedAttempt(cmd, history, this.opts.maxStartsWithoutResult);
    if (crashed) {
      await events.appendResult(rec.id, { ...crashed, step: cmd.step });
      await store.wake(rec.id);
      return;
    }
    const stop = AbortSignal.any([lease, this.opts.shutdown]);
    await this.opts.runner.runActivity(rec, cmd, p.results, stop, stop);
    // The orchestrator parked the execution while the run was away: the result is news for it.
    await store.wake(rec.id);
  }
}
