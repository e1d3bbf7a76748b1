import { durationMs } from '../definition/duration.js';
import type { WaitState } from '../definition/pipelineSchema.js';
import { resolvePath } from '../resolvePath.js';
import type { StepHistory, StepOutcome } from './StepHistory.js';

/** A wait step: a durable timer for `duration`, or until the time `until` gives (a `$.` path is read from the execution). */
export function planWait(h: StepHistory, step: string, state: WaitState): StepOutcome {
  let at: { delayMs?: number; fireAt?: string };
  if (state.duration !== undefined) at = { delayMs: durationMs(state.duration) };
  else {
    const raw = state.until!.startsWith('$.') ? resolvePath(h.scope, state.until!) : state.until;
    const t = typeof raw === 'string' || typeof raw === 'number' ? new Date(raw) : new Date(NaN);
    if (Number.isNaN(t.getTime())) {
      return {
        status: 'failed',
        step,
        error: { code: 'WAIT_BAD_TIME', message: `wait "${step}": ${state.until} is not a time (${JSON.stringify(raw)})`, hint: 'give an ISO 8601 time' },
      };
    }
    at = { fireAt: t.toISOString() };
  }
  if (h.timer(step, 'wait', at) === 'pending') return { status: 'blocked' };
  return { next: state.next, output: null };
}
