import { durationMs } from '../definition/duration.js';
import type { TaskState } from '../definition/pipelineSchema.js';
import type { RecordedError } from '../events.js';
import { resolveInput } from '../resolvePath.js';
import type { StepHistory, StepOutcome } from './StepHistory.js';

/**
 * A task step: its recorded output when it succeeded; else schedule it (recording its resolved
 * input), run the attempt due (after a retry delay or a full-disk pause), or record the retry of a
 * failed attempt by the task's retry policy; failed when retries are spent.
 */
export function planTask(h: StepHistory, step: string, name: string, task: TaskState): StepOutcome {
  const evs = h.events(step);
  const ok = evs.find((e) => e.type === 'ActivitySucceeded');
  if (ok) return { next: task.next, output: ok.data.output };
  const scheduled = evs.filter((e) => e.type === 'ActivityScheduled');
  if (scheduled.length === 0) {
    const input = resolveInput(task.input ?? {}, h.scope);
    h.records.push({
      type: 'ActivityScheduled',
      step,
      data: { attempt: 1, input, ...(task.activity ? { activity: task.activity } : { command: task.command }) },
    });
    return { status: 'blocked' };
  }
  // The input recorded when the step was scheduled; an input wired after that (a history
  // recorded before its pipeline's inputs were wired) is read now, from the history too.
  const recorded = scheduled[0]!.data.input as Record<string, unknown>;
  const input = { ...(resolveInput(task.input ?? {}, h.scope) as Record<string, unknown>), ...recorded };
  const lastAttempt = Math.max(...evs.filter((e) => e.type === 'ActivityScheduled' || e.type === 'ActivityRetried').map((e) => e.data.attempt as number));
  const failed = evs.find((e) => e.type === 'ActivityFailed' && e.data.attempt === lastAttempt);
  if (!failed) {
    // Paused (the disk was full): wait for the resume timer, say so, then run the attempt again.
    const paused = evs.filter((e) => e.type === 'ExecutionPaused' && e.data.attempt === lastAttempt).at(-1);
    if (paused && !evs.some((e) => e.type === 'ExecutionResumed' && e.seq > paused.seq)) {
      if (h.timer(step, `resume-${paused.seq}`, { fireAt: paused.data.resumeAt as string }) === 'pending') return { status: 'blocked' };
      h.records.push({ type: 'ExecutionResumed', step, data: { attempt: lastAttempt, after: 'timer' } });
      return { status: 'blocked' };
    }
    // Scheduled (or retried) and not finished: (re)run it. After a crash this re-runs an attempt
    // that may have started; activities are idempotent by step, so its effect lands once.
    const retried = evs.find((e) => e.type === 'ActivityRetried' && e.data.attempt === lastAttempt);
    if (retried && (retried.data.delayMs as number) > 0 && h.timer(step, `retry-${lastAttempt}`, { delayMs: retried.data.delayMs as number }) === 'pending')
      return { status: 'blocked' };
    h.commands.push({ kind: 'runActivity', step, state: name, task, attempt: lastAttempt, input });
    return { status: 'blocked' };
  }
  const error = failed.data.error as RecordedError;
  const failuresSinceRedrive = evs.filter((e) => e.type === 'ActivityFailed' && e.seq > h.redriveSeq).length;
  const retry = task.retry ?? { count: 0, backoff: '1s', factor: 2, maxBackoff: '10m' };
  const redriven = failed.seq < h.redriveSeq;
  if (redriven || (error.retryable !== false && failuresSinceRedrive <= retry.count)) {
    const delayMs = redriven ? 0 : Math.min(durationMs(retry.backoff) * retry.factor ** (failuresSinceRedrive - 1), durationMs(retry.maxBackoff));
    h.records.push({ type: 'ActivityRetried', step, data: { attempt: lastAttempt + 1, delayMs, after: error.code } });
    return { status: 'blocked' };
  }
  return { status: 'failed', step, error };
}
