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
 * idempotency key of whatever happens there.
 */
import { evaluateCondition } from './conditions.js';
import { durationMs } from './definition/duration.js';
import type { ApprovalState, Pipeline, State, TaskState } from './definition/pipelineSchema.js';
import type { ApprovalOutcome, ExecutionEvent, NewEvent, RecordedError } from './events.js';
import { resolveInput, resolvePath, type PathScope } from './resolvePath.js';

export type Command =
  | { kind: 'runActivity'; step: string; state: string; task: TaskState; attempt: number; input: unknown }
  | { kind: 'startTimer'; step: string; timer: string; delayMs?: number; fireAt?: string }
  | { kind: 'awaitTimer'; step: string; timer: string; fireAt: string }
  | { kind: 'requestApproval'; step: string; state: string; approval: ApprovalState }
  | {
      kind: 'notifyApproval';
      step: string;
      state: string;
      approval: ApprovalState;
      notice: 'request' | 'reminder';
      n: number;
      /** The approval's input, resolved: `findings`, what the approvers are shown. */
      input: { findings?: unknown };
    };

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

type WalkResult = { status: 'done'; output: unknown } | { status: 'blocked' } | { status: 'failed'; step: string; error: RecordedError };

interface Scope {
  start: string;
  states: Record<string, State>;
}

/** A string key for a command, so the runner never starts the same side effect twice at once. */
export function commandKey(c: Command): string {
  if (c.kind === 'runActivity') return `activity:${c.step}:${c.attempt}`;
  if (c.kind === 'startTimer' || c.kind === 'awaitTimer') return `timer:${c.step}:${c.timer}`;
  if (c.kind === 'notifyApproval') return `notify:${c.step}:${c.notice}:${c.n}`;
  return `approval:${c.step}`;
}

/** Decides the next records and side effects of an execution from its history alone. */
export function plan(pipeline: Pipeline, history: readonly ExecutionEvent[]): Plan {
  return new Planner(pipeline, history).run();
}

class Planner {
  private readonly byStep = new Map<string, ExecutionEvent[]>();
  private readonly records: NewEvent[] = [];
  private readonly commands: Command[] = [];
  private readonly current: string[] = [];
  private readonly scope: PathScope;
  /** Failures before this seq do not count against a step's retries (a redrive reset them). */
  private readonly redriveSeq: number;

  constructor(
    private readonly pipeline: Pipeline,
    private readonly history: readonly ExecutionEvent[],
  ) {
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

  run(): Plan {
    const base = { records: this.records, commands: this.commands, current: this.current, results: this.scope.results };
    if (this.history.some((e) => e.type === 'ExecutionSkipped')) return { ...base, terminal: { status: 'skipped', outcome: 'duplicate' } };
    const r = this.walk({ start: this.pipeline.start, states: this.pipeline.states }, '');
    const ended = this.history.filter((e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed').find((e) => e.seq > this.redriveSeq);
    if (r.status === 'blocked') return base;
    if (r.status === 'done') {
      const outcome = this.lastOutcome ?? 'succeeded';
      if (!ended) this.records.push({ type: 'ExecutionSucceeded', data: { outcome, output: r.output ?? null } });
      return { ...base, terminal: { status: 'succeeded', outcome } };
    }
    if (!ended) this.records.push({ type: 'ExecutionFailed', step: r.step, data: { error: r.error } });
    return { ...base, terminal: { status: 'failed', error: r.error } };
  }

  private lastOutcome: string | undefined;

  private events(step: string): ExecutionEvent[] {
    return this.byStep.get(step) ?? [];
  }

  private has(step: string, type: NewEvent['type'], pred: (e: ExecutionEvent) => boolean = () => true): ExecutionEvent | undefined {
    return this.events(step).find((e) => e.type === type && pred(e));
  }

  private walk(scope: Scope, prefix: string): WalkResult {
    const visits = new Map<string, number>();
    let name = scope.start;
    let last: unknown = null;
    for (let guard = 0; guard < 100_000; guard++) {
      const state = scope.states[name]!;
      const v = (visits.get(name) ?? 0) + 1;
      visits.set(name, v);
      const step = `${prefix}${name}${v > 1 ? `#${v}` : ''}`;
      if (!this.has(step, 'StateEntered')) {
        // One state per transaction: what a state records commits before the next state begins,
        // so the history (and a crash) always falls on a state boundary.
        if (this.records.length > 0) return { status: 'blocked' };
        this.records.push({ type: 'StateEntered', step, data: { state: name, type: state.type } });
      }

      let out: { next?: string | undefined; output: unknown } | WalkResult;
      switch (state.type) {
        case 'task':
          out = this.task(step, name, state);
          break;
        case 'choice': {
          const taken = this.has(step, 'ChoiceTaken');
          let next = taken?.data.next as string | undefined;
          if (!taken) {
            const idx = state.choices.findIndex((c) => (Array.isArray(c.if) ? c.if : [c.if]).every((cond) => evaluateCondition(cond, this.scope)));
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
            this.records.push({ type: 'ChoiceTaken', step, data: { next, rule: idx >= 0 ? idx : 'default' } });
          }
          out = { next, output: last };
          break;
        }
        case 'approval':
          out = this.approval(step, name, state);
          break;
        case 'wait':
          out = this.wait(step, state);
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
      if (state.type !== 'choice') this.scope.results[name] = out.output;
      if (state.type !== 'choice' && !this.has(step, 'StateExited')) this.records.push({ type: 'StateExited', step, data: {} });
      if (out.next === undefined) return { status: 'done', output: last };
      name = out.next;
    }
    return { status: 'failed', step: name, error: { code: 'PIPELINE_LOOP', message: 'the pipeline looped 100000 times without waiting' } };
  }

  private timer(step: string, timer: string, at: { delayMs?: number; fireAt?: string }): 'fired' | 'pending' {
    if (this.has(step, 'TimerFired', (e) => e.data.timer === timer)) return 'fired';
    const started = this.has(step, 'TimerStarted', (e) => e.data.timer === timer);
    if (!started) this.commands.push({ kind: 'startTimer', step, timer, ...at });
    else this.commands.push({ kind: 'awaitTimer', step, timer, fireAt: started.data.fireAt as string });
    return 'pending';
  }

  private task(step: string, name: string, task: TaskState): { next?: string | undefined; output: unknown } | WalkResult {
    const evs = this.events(step);
    const ok = evs.find((e) => e.type === 'ActivitySucceeded');
    if (ok) return { next: task.next, output: ok.data.output };
    const scheduled = evs.filter((e) => e.type === 'ActivityScheduled');
    if (scheduled.length === 0) {
      const input = resolveInput(task.input ?? {}, this.scope);
      this.records.push({
        type: 'ActivityScheduled',
        step,
        data: { attempt: 1, input, ...(task.activity ? { activity: task.activity } : { command: task.command }) },
      });
      return { status: 'blocked' };
    }
    // The input recorded when the step was scheduled; an input wired after that (a history
    // recorded before its pipeline's inputs were wired) is read now, from the history too.
    const recorded = scheduled[0]!.data.input as Record<string, unknown>;
    const input = { ...(resolveInput(task.input ?? {}, this.scope) as Record<string, unknown>), ...recorded };
    const lastAttempt = Math.max(...evs.filter((e) => e.type === 'ActivityScheduled' || e.type === 'ActivityRetried').map((e) => e.data.attempt as number));
    const failed = evs.find((e) => e.type === 'ActivityFailed' && e.data.attempt === lastAttempt);
    if (!failed) {
      // Paused (the disk was full): wait for the resume timer, say so, then run the attempt again.
      const paused = evs.filter((e) => e.type === 'ExecutionPaused' && e.data.attempt === lastAttempt).at(-1);
      if (paused && !evs.some((e) => e.type === 'ExecutionResumed' && e.seq > paused.seq)) {
        if (this.timer(step, `resume-${paused.seq}`, { fireAt: paused.data.resumeAt as string }) === 'pending') return { status: 'blocked' };
        this.records.push({ type: 'ExecutionResumed', step, data: { attempt: lastAttempt, after: 'timer' } });
        return { status: 'blocked' };
      }
      // Scheduled (or retried) and not finished: (re)run it. After a crash this re-runs an attempt
      // that may have started; activities are idempotent by step, so its effect lands once.
      const retried = evs.find((e) => e.type === 'ActivityRetried' && e.data.attempt === lastAttempt);
      if (
        retried &&
        (retried.data.delayMs as number) > 0 &&
        this.timer(step, `retry-${lastAttempt}`, { delayMs: retried.data.delayMs as number }) === 'pending'
      )
        return { status: 'blocked' };
      this.commands.push({ kind: 'runActivity', step, state: name, task, attempt: lastAttempt, input });
      return { status: 'blocked' };
    }
    const error = failed.data.error as RecordedError;
    const failuresSinceRedrive = evs.filter((e) => e.type === 'ActivityFailed' && e.seq > this.redriveSeq).length;
    const retry = task.retry ?? { count: 0, backoff: '1s', factor: 2, maxBackoff: '10m' };
    const redriven = failed.seq < this.redriveSeq;
    if (redriven || (error.retryable !== false && failuresSinceRedrive <= retry.count)) {
      const delayMs = redriven ? 0 : Math.min(durationMs(retry.backoff) * retry.factor ** (failuresSinceRedrive - 1), durationMs(retry.maxBackoff));
      this.records.push({ type: 'ActivityRetried', step, data: { attempt: lastAttempt + 1, delayMs, after: error.code } });
      return { status: 'blocked' };
    }
    return { status: 'failed', step, error };
  }

  private approval(step: string, name: string, state: ApprovalState): { next?: string | undefined; output: unknown } | WalkResult {
    const decided = this.has(step, 'ApprovalDecided');
    if (decided) return { next: state.next, output: decided.data as unknown as ApprovalOutcome };
    const timedOut = this.has(step, 'ApprovalTimedOut');
    if (timedOut) return { next: state.next, output: timedOut.data as unknown as ApprovalOutcome };
    const requested = this.has(step, 'ApprovalRequested');
    if (!requested) {
      this.commands.push({ kind: 'requestApproval', step, state: name, approval: state });
      return { status: 'blocked' };
    }
    if (!this.has(step, 'ApprovalNotified', (e) => e.data.notice === 'request')) {
      this.commands.push({ kind: 'notifyApproval', step, state: name, approval: state, notice: 'request', n: 0, input: this.approvalInput(state) });
    }
    const expiresAt = requested.data.expiresAt as string;
    if (this.timer(step, 'timeout', { fireAt: expiresAt }) === 'fired') {
      const decision = state.default === 'approve' ? 'approved' : 'rejected';
      const outcome: ApprovalOutcome = {
        decision,
        by: 'timeout',
        at: expiresAt,
        via: 'timeout',
        timedOut: true,
        reason: `no decision within ${String(state.timeout)}`,
      };
      this.records.push({ type: 'ApprovalTimedOut', step, data: { ...outcome } });
      return { next: state.next, output: outcome };
    }
    if (state.remind !== undefined) {
      const every = durationMs(state.remind);
      const requestedAt = Date.parse(requested.at);
      for (let k = 1; k <= state.maxReminders; k++) {
        const fireAt = requestedAt + k * every;
        if (fireAt >= Date.parse(expiresAt)) break;
        if (this.timer(step, `remind-${k}`, { fireAt: new Date(fireAt).toISOString() }) === 'pending') break;
        if (!this.has(step, 'ApprovalNotified', (e) => e.data.notice === 'reminder' && e.data.n === k)) {
          this.commands.push({ kind: 'notifyApproval', step, state: name, approval: state, notice: 'reminder', n: k, input: this.approvalInput(state) });
          break;
        }
      }
    }
    return { status: 'blocked' };
  }

  private approvalInput(state: ApprovalState): { findings?: unknown } {
    return resolveInput(state.input ?? {}, this.scope) as { findings?: unknown };
  }

  private wait(step: string, state: Extract<State, { type: 'wait' }>): { next?: string | undefined; output: unknown } | WalkResult {
    let at: { delayMs?: number; fireAt?: string };
    if (state.duration !== undefined) at = { delayMs: durationMs(state.duration) };
    else {
      const raw = state.until!.startsWith('$.') ? resolvePath(this.scope, state.until!) : state.until;
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
    if (this.timer(step, 'wait', at) === 'pending') return { status: 'blocked' };
    return { next: state.next, output: null };
  }
}
