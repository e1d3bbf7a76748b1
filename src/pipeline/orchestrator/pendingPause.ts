import type { ExecutionEvent } from '../events.js';

/** The last pause of a step not yet followed by a resume, if any. */
export function pendingPause(history: readonly ExecutionEvent[]): ExecutionEvent | undefined {
  const paused = history.filter((e) => e.type === 'ExecutionPaused' && e.step !== undefined).at(-1);
  if (!paused || history.some((e) => e.type === 'ExecutionResumed' && e.seq > paused.seq)) return undefined;
  return paused;
}
