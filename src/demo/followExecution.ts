import { drawPipeline } from '../pipeline/drawPipeline.js';
import type { ExecutionEvent } from '../pipeline/events.js';
import type { ExecutionRecord, ExecutionStore } from '../pipeline/store/ExecutionStore.js';
import { progressLines } from './progressLines.js';
import { sleep } from './sleep.js';

const TERMINAL = new Set(['succeeded', 'failed', 'skipped']);

export interface FollowOptions {
  store: ExecutionStore;
  id: string;
  /** Where each line goes (stdout in the CLI). */
  out: (line: string) => void;
  signal: AbortSignal;
  /** Called once per approval step as soon as the execution waits on it. */
  onApproval?: (requested: ExecutionEvent, history: readonly ExecutionEvent[]) => Promise<void> | void;
  pollMs?: number;
}

/**
 * Prints an execution's progress from its recorded history as it grows (every state entered and
 * left, with the salient output), calls `onApproval` when it waits for a decision, and resolves
 * with the record and the whole history once it has ended.
 */
export async function followExecution(o: FollowOptions): Promise<{ record: ExecutionRecord; events: ExecutionEvent[] }> {
  const events: ExecutionEvent[] = [];
  const asked = new Set<string>();
  for (;;) {
    const fresh = await o.store.events(o.id, events.at(-1)?.seq ?? 0);
    for (const e of fresh) {
      events.push(e);
      for (const line of progressLines(e)) o.out(`  ${line}`);
      if (e.type === 'ApprovalRequested' && e.step && !asked.has(e.step)) {
        asked.add(e.step);
        await o.onApproval?.(e, events);
      }
    }
    const record = await o.store.require(o.id);
    if (TERMINAL.has(record.status) && record.lastSeq <= (events.at(-1)?.seq ?? 0)) return { record, events };
    await sleep(o.pollMs ?? 150, o.signal);
  }
}

/** The pipeline drawn with the execution's done, current and failed states marked. */
export function drawExecution(record: ExecutionRecord, events: readonly ExecutionEvent[]): string {
  // The end state (succeed/fail) is entered, never exited: count it as passed too.
  const done = events
    .filter((e) => e.type === 'StateExited' || e.type === 'ChoiceTaken' || (e.type === 'StateEntered' && (e.data.type === 'succeed' || e.data.type === 'fail')))
    .map((e) => e.step!)
    .filter(Boolean);
  const failed = record.status === 'failed' ? [...events].reverse().find((e) => e.type === 'ExecutionFailed')?.step : undefined;
  return drawPipeline(record.definition, { current: record.current, done, failed });
}
