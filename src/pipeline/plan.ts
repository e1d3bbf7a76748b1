/**
 * The deterministic heart of the orchestrator: given the pipeline and the recorded history of an
 * execution, say what happens next. No clock, no I/O, no randomness: every time and every result
 * it uses comes from the history, so replaying a history always gives the same decisions.
 *
 * ```
 * history ──fold by step──> walk the states from `start`
 *   recorded result  -> take it, follow `next`              (nothing re-runs)
 *   nothing recorded -> record (StateEntered, ChoiceTaken, ...) or ask for a side effect
 *                       (run an activity, start/await a timer, request/notify an approval)
 * ```
 *
 * Steps are named after states (`train`), inside a parallel branch after the parallel state
 * (`build/train`), and a state entered again (a loop) gets `#2`, `#3`: the step name is the
 * idempotency key of whatever happens there. Each state kind with a history of its own is planned
 * in `planner/` (`planTask`, `planApproval`, `planWait`, over a `StepHistory`); choices, parallel
 * branches and the ends are walked here.
 */
import { evaluateCondition } from './conditions.js';
import type { Pipeline, State } from './definition/pipelineSchema.js';
import type { ExecutionEvent, NewEvent, RecordedError } from './events.js';
import type { Command } from './planner/Command.js';
import { planApproval } from './planner/planApproval.js';
import { planTask } from './planner/planTask.js';
import { planWait } from './planner/planWait.js';
import { StepHistory, type StepOutcome, type WalkResult } from './planner/StepHistory.js';

export interface Plan {
  /** Events to append now; they need no side effect. */
  records: NewEvent[];
  /** Side effects to perform; each records its own events. */
  commands: Command[];
  /** The steps the execution is at (several inside a parallel state). */
  current: string[];
  /** Set when the execution has ended (the terminal event is recorded or among `records`). */
  terminal?: { status: 'succeeded' | 'failed' | 'skipped'; outcome?: string | undefined; error?: RecordedError | undefined };
  /** Results of the states done so far, by state name. */
  results: Record<string, unknown>;
}

interface Scope {
  start: string;
  states: Record<string, State>;
}

/** Decides the next records and side effects of an execution from its history alone. */
export function plan(pipeline: Pipeline, history: readonly ExecutionEvent[]): Plan {
  return new Planner(pipeline, history).run();
}

class Planner {
  private readonly h: StepHistory;
  private readonly current: string[] = [];

  constructor(
    private readonly pipeline: Pipeline,
    history: readonly ExecutionEvent[],
  ) {
    this.h = new StepHistory(history);
  }

  run(): Plan {
    const base = { records: this.h.records, commands: this.h.commands, current: this.current, results: this.h.scope.results };
    if (this.h.history.some((e) => e.type === 'ExecutionSkipped')) return { ...base, terminal: { status: 'skipped', outcome: 'duplicate' } };
    const r = this.walk({ start: this.pipeline.start, states: this.pipeline.states }, '');
    const ended = this.h.history.filter((e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed').find((e) => e.seq > this.h.redriveSeq);
    if (r.status === 'blocked') return base;
    if (r.status === 'done') {
      const outcome = this.lastOutcome ?? 'succeeded';
      if (!ended) this.h.records.push({ type: 'ExecutionSucceeded', data: { outcome, output: r.output ?? null } });
      return { ...base, terminal: { status: 'succeeded', outcome } };
    }
    if (!ended) this.h.records.push({ type: 'ExecutionFailed', step: r.step, data: { error: r.error } });
    return { ...base, terminal: { status: 'failed', error: r.error } };
  }

  private lastOutcome: string | undefined;

  private walk(scope: Scope, prefix: string): WalkResult {
    const visits = new Map<string, number>();
    let name = scope.start;
    let last: unknown = null;
    for (let guard = 0; guard < 100_000; guard++) {
      const state = scope.states[name]!;
      const v = (visits.get(name) ?? 0) + 1;
      visits.set(name, v);
      const step = `${prefix}${name}${v > 1 ? `#${v}` : ''}`;
      if (!this.h.has(step, 'StateEntered')) {
        // One state per transaction: what a state records commits before the next state begins,
        // so the history (and a crash) always falls on a state boundary.
        if (this.h.records.length > 0) return { status: 'blocked' };
        this.h.records.push({ type: 'StateEntered', step, data: { state: name, type: state.type } });
      }

      let out: StepOutcome;
      switch (state.type) {
        case 'task':
          out = planTask(this.h, step, name, state);
          break;
        case 'choice': {
          const taken = this.h.has(step, 'ChoiceTaken');
          let next = taken?.data.next as string | undefined;
          if (!taken) {
            const idx = state.choices.findIndex((c) => (Array.isArray(c.if) ? c.if : [c.if]).every((cond) => evaluateCondition(cond, this.h.scope)));
            next = idx >= 0 ? state.choices[idx]!.next : state.default;
            if (next === undefined) {
              return {
                status: 'failed',
                step,
                error: {
                  code: 'CHOICE_NO_MATCH',
                  message: `no choice of "${name}" matched and it has no default`,
                  hint: 'add `default: <state>` to the choice state',
                },
              };
            }
            this.h.records.push({ type: 'ChoiceTaken', step, data: { next, rule: idx >= 0 ? idx : 'default' } });
          }
          out = { next, output: last };
          break;
        }
        case 'approval':
          out = planApproval(this.h, step, name, state);
          break;
        case 'wait':
          out = planWait(this.h, step, state);
          break;
        case 'parallel': {
          const outputs: Record<string, unknown> = {};
          let blocked = false;
          for (const b of state.branches) {
            const r = this.walk(b, `${step}/`);
            if (r.status === 'failed') return r;
            if (r.status === 'blocked') blocked = true;
            else outputs[b.name] = r.output;
          }
          out = blocked ? { status: 'blocked' } : { next: state.next, output: outputs };
          break;
        }
        case 'succeed':
          if (prefix === '') this.lastOutcome = state.outcome;
          return { status: 'done', output: last };
        case 'fail':
          return { status: 'failed', step, error: { code: state.error, message: state.cause ?? `the pipeline reached fail state "${name}"` } };
      }
      if ('status' in out) {
        if (out.status === 'blocked') this.current.push(step);
        if (out.status !== 'done') return out;
        out = { next: undefined, output: out.output };
      }
      last = out.output;
      if (state.type !== 'choice') this.h.scope.results[name] = out.output;
      if (state.type !== 'choice' && !this.h.has(step, 'StateExited')) this.h.records.push({ type: 'StateExited', step, data: {} });
      if (out.next === undefined) return { status: 'done', output: last };
      name = out.next;
    }
    return { status: 'failed', step: name, error: { code: 'PIPELINE_LOOP', message: 'the pipeline looped 100000 times without waiting' } };
  }
}
