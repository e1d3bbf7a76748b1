import type { ExecutionEvent, NewEvent, RecordedError } from '../events.js';
import type { PathScope } from '../resolvePath.js';
import type { Command } from './Command.js';

/** What planning one state gives: its result and where to go next, or blocked/done/failed. */
export type WalkResult = { status: 'done'; output: unknown } | { status: 'blocked' } | { status: 'failed'; step: string; error: RecordedError };
export type StepOutcome = { next?: string | undefined; output: unknown } | WalkResult;

/**
 * An execution's history, grouped by step, and what planning it has decided so far: the records
 * to append, the side effects to ask for, the results of the states walked (the `$.` scope).
 * Every state kind's planner (`planTask`, `planApproval`, `planWait`) reads and adds through it.
 */
export class StepHistory {
  private readonly byStep = new Map<string, ExecutionEvent[]>();
  readonly records: NewEvent[] = [];
  readonly commands: Command[] = [];
  readonly scope: PathScope;
  /** Failures before this seq do not count against a step's retries (a redrive reset them). */
  readonly redriveSeq: number;

  constructor(readonly history: readonly ExecutionEvent[]) {
    for (const e of history) {
      if (e.step === undefined) continue;
      let list = this.byStep.get(e.step);
      if (!list) this.byStep.set(e.step, (list = []));
      list.push(e);
    }
    const started = history.find((e) => e.type === 'ExecutionStarted');
    this.scope = { input: (started?.data.input as Record<string, unknown>) ?? {}, results: {} };
    this.redriveSeq = Math.max(0, ...history.filter((e) => e.type === 'ExecutionRedriven').map((e) => e.seq));
  }

  events(step: string): ExecutionEvent[] {
    return this.byStep.get(step) ?? [];
  }

  has(step: string, type: NewEvent['type'], pred: (e: ExecutionEvent) => boolean = () => true): ExecutionEvent | undefined {
    return this.events(step).find((e) => e.type === type && pred(e));
  }

  /** A durable timer of the step: fired when the history says so, else asks to start or await it. */
  timer(step: string, timer: string, at: { delayMs?: number; fireAt?: string }): 'fired' | 'pending' {
    if (this.has(step, 'TimerFired', (e) => e.data.timer === timer)) return 'fired';
    const started = this.has(step, 'TimerStarted', (e) => e.data.timer === timer);
    if (!started) this.commands.push({ kind: 'startTimer', step, timer, ...at });
    else this.commands.push({ kind: 'awaitTimer', step, timer, fireAt: started.data.fireAt as string });
    return 'pending';
  }
}
