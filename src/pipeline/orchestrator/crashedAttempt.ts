import type { ExecutionEvent, NewEvent, RecordedError } from '../events.js';
import type { Command } from '../planner/Command.js';

/**
 * The failure to record instead of starting an attempt again when every recorded start of it
 * happened in a process that died before the result (`maxStarts` of them since the last resume):
 * a step that keeps killing its process (out of memory, a native crash) fails instead of
 * crash-looping the orchestrator or the workers. A pause (full disk) is a result, and a resume
 * starts the count again. Undefined when the attempt may start.
 */
export function crashedAttempt(cmd: Extract<Command, { kind: 'runActivity' }>, history: readonly ExecutionEvent[], maxStarts: number): NewEvent | undefined {
  const resumedSeq = Math.max(0, ...history.filter((e) => e.type === 'ExecutionResumed').map((e) => e.seq));
  const starts = history.filter((e) => e.type === 'ActivityStarted' && e.step === cmd.step && e.data.attempt === cmd.attempt && e.seq > resumedSeq).length;
  if (starts < maxStarts) return undefined;
  const error: RecordedError = {
    code: 'ACTIVITY_CRASHED',
    retryable: false,
    message: `step ${cmd.step} (attempt ${cmd.attempt}) was started ${starts} times and the process died each time before it finished`,
    hint: 'look for an out-of-memory kill or a native crash in the logs; fix it, then redrive the execution',
  };
  return { type: 'ActivityFailed', step: cmd.step, data: { attempt: cmd.attempt, error } };
}
