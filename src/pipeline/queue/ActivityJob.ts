import { createHash } from 'node:crypto';
import type { TaskState } from '../definition/pipelineSchema.js';
import type { ExecutionEvent } from '../events.js';

/**
 * One activity run handed to a worker: which execution, step and attempt. The job carries no
 * input: the worker reads the execution's history and plans it again, so it runs exactly what the
 * history asks for now, or nothing when the step has a result already.
 */
export interface ActivityJob {
  executionId: string;
  step: string;
  attempt: number;
  /** The sequence number of the last resume of this attempt (a full-disk pause), 0 when none: a resumed attempt is a new job. */
  run: number;
}

/** The queue a task's runs go to: its activity's name (`train`, `report`...), or `command` for a command task. */
export function queueOfTask(task: TaskState): string {
  return task.activity ?? 'command';
}

/** The {@link ActivityJob.run} of an attempt: the last `ExecutionResumed` of it in the history, else 0. */
export function runOfAttempt(history: readonly ExecutionEvent[], step: string, attempt: number): number {
  let run = 0;
  for (const e of history) if (e.type === 'ExecutionResumed' && e.step === step && e.data.attempt === attempt) run = e.seq;
  return run;
}

/**
 * The job's id, a UUID derived from what it runs: sending the same run twice (every drive of the
 * execution sends it again until a result is recorded) inserts one job. That is what makes the
 * enqueue safe without a transaction shared with the history.
 */
export function activityJobId(job: ActivityJob): string {
  const h = createHash('sha256')
    .update(JSON.stringify([job.executionId, job.step, job.attempt, job.run]))
    .digest('hex');
  // A version-4-shaped UUID (PostgreSQL's uuid type checks only the shape).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((Number.parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
