import { isDeepStrictEqual } from 'node:util';
import { SluiceError } from '../core/errors.js';
import type { Pipeline } from './definition/pipelineSchema.js';
import type { ExecutionEvent, NewEvent } from './events.js';
import { plan } from './plan.js';
import type { Command } from './planner/Command.js';

/** Events the planner writes itself; every other event is a fact (a side effect's result, a human, a trigger). */
function plannedByPlanner(e: ExecutionEvent): boolean {
  if (e.type === 'ExecutionResumed') return e.data.after === 'timer';
  return [
    'StateEntered',
    'ChoiceTaken',
    'ActivityScheduled',
    'ActivityRetried',
    'ApprovalTimedOut',
    'StateExited',
    'ExecutionSucceeded',
    'ExecutionFailed',
  ].includes(e.type);
}

/** The command a fact answers, if it answers one; facts of people and triggers answer none. */
function answers(e: ExecutionEvent, c: Command): boolean {
  const d = e.data;
  switch (e.type) {
    case 'ActivityStarted':
      return c.kind === 'runActivity' && c.step === e.step && c.attempt === d.attempt;
    case 'TimerStarted':
      return c.kind === 'startTimer' && c.step === e.step && c.timer === d.timer;
    case 'TimerFired':
      return c.kind === 'awaitTimer' && c.step === e.step && c.timer === d.timer;
    case 'ApprovalRequested':
      return c.kind === 'requestApproval' && c.step === e.step;
    case 'ApprovalNotified':
      return c.kind === 'notifyApproval' && c.step === e.step && c.notice === d.notice && c.n === d.n;
    default:
      return false;
  }
}

function mismatch(e: ExecutionEvent | undefined, message: string): SluiceError {
  return new SluiceError('HISTORY_MISMATCH', `${e ? `event ${e.seq} (${e.type}${e.step ? ` ${e.step}` : ''})` : 'the end of the history'}: ${message}`, {
    hint: 'the pipeline definition or the planner no longer gives the decisions this history recorded (a non-deterministic change); keep the recorded definition for executions in flight',
    ...(e ? { details: { seq: e.seq } } : {}),
  });
}

const shown = (e: NewEvent | undefined) => (e ? `${e.type}${e.step ? ` ${e.step}` : ''} ${JSON.stringify(e.data)}` : 'nothing');

/**
 * Feeds a recorded history through the planner, event by event, and throws HISTORY_MISMATCH at
 * the first event the planner would not have produced (as Temporal's replayer does):
 *
 * ```
 * prefix ── plan ──> records  == the next recorded events (the planner wrote them)
 *                └─> commands ∋ the command each recorded fact answers (an activity started,
 *                              a timer, an approval request or notice)
 * ApprovalDecided   only while the planner waits on that approval
 * ActivitySucceeded/Failed   only after that attempt started
 * ```
 *
 * Returns the number of planner decisions checked.
 */
export function replayHistory(pipeline: Pipeline, history: readonly ExecutionEvent[]): number {
  if (history[0]?.type !== 'ExecutionStarted') throw mismatch(history[0], 'a history starts with ExecutionStarted');
  let decisions = 0;
  for (let i = 1; i < history.length; i++) {
    const e = history[i]!;
    const before = history.slice(0, i);
    if (e.seq !== i + 1) throw mismatch(e, `sequence numbers are dense from 1; expected ${i + 1}`);
    if (plannedByPlanner(e)) {
      const { records } = plan(pipeline, before);
      const recorded = history.slice(i, i + records.length);
      for (let k = 0; k < Math.max(1, records.length); k++) {
        const want = records[k];
        const got = recorded[k];
        if (!want || !got || want.type !== got.type || want.step !== got.step || !isDeepStrictEqual(want.data, got.data))
          throw mismatch(history[i + k] ?? e, `the planner decides ${shown(want)}, the history recorded ${shown(got)}`);
      }
      decisions += records.length;
      i += records.length - 1;
      continue;
    }
    if (['ActivityStarted', 'TimerStarted', 'TimerFired', 'ApprovalRequested', 'ApprovalNotified'].includes(e.type)) {
      const { commands } = plan(pipeline, before);
      if (!commands.some((c) => answers(e, c)))
        throw mismatch(e, `the planner asked for none of this; it asks for ${commands.map((c) => `${c.kind} ${c.step}`).join(', ') || 'nothing'}`);
      decisions++;
    } else if (e.type === 'ActivitySucceeded' || (e.type === 'ActivityFailed' && (e.data.error as { code?: string })?.code !== 'ACTIVITY_CRASHED')) {
      if (!before.some((x) => x.type === 'ActivityStarted' && x.step === e.step && x.data.attempt === e.data.attempt))
        throw mismatch(e, 'a result of an attempt that never started');
    } else if (e.type === 'ApprovalDecided') {
      const p = plan(pipeline, before);
      if (!p.current.includes(e.step ?? '') || !p.commands.every((c) => c.kind !== 'requestApproval' || c.step !== e.step))
        throw mismatch(e, `a decision on ${e.step ?? '?'}, which the planner is not waiting on (it is at ${p.current.join(', ') || 'nothing'})`);
    }
  }
  const ended = history.some((e) => e.type === 'ExecutionSucceeded' || e.type === 'ExecutionFailed' || e.type === 'ExecutionSkipped');
  const last = plan(pipeline, history);
  if (ended && (!last.terminal || last.records.length > 0))
    throw mismatch(undefined, `the history ended, the planner would go on with ${shown(last.records[0])}`);
  return decisions;
}
