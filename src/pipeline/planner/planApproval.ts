import { durationMs } from '../definition/duration.js';
import type { ApprovalState } from '../definition/pipelineSchema.js';
import type { ApprovalOutcome } from '../events.js';
import { resolveInput } from '../resolvePath.js';
import type { StepHistory, StepOutcome } from './StepHistory.js';

/**
 * An approval step: the decision (or the timeout's default) when recorded; else request it,
 * notify the approvers (with the findings its input wires), and remind them on the timers of
 * `remind`, at most `maxReminders` times before the timeout.
 */
export function planApproval(h: StepHistory, step: string, name: string, state: ApprovalState): StepOutcome {
  const decided = h.has(step, 'ApprovalDecided');
  if (decided) return { next: state.next, output: decided.data as unknown as ApprovalOutcome };
  const timedOut = h.has(step, 'ApprovalTimedOut');
  if (timedOut) return { next: state.next, output: timedOut.data as unknown as ApprovalOutcome };
  const requested = h.has(step, 'ApprovalRequested');
  if (!requested) {
    h.commands.push({ kind: 'requestApproval', step, state: name, approval: state });
    return { status: 'blocked' };
  }
  if (!h.has(step, 'ApprovalNotified', (e) => e.data.notice === 'request')) {
    h.commands.push({ kind: 'notifyApproval', step, state: name, approval: state, notice: 'request', n: 0, input: approvalInput(h, state) });
  }
  const expiresAt = requested.data.expiresAt as string;
  if (h.timer(step, 'timeout', { fireAt: expiresAt }) === 'fired') {
    const decision = state.default === 'approve' ? 'approved' : 'rejected';
    const outcome: ApprovalOutcome = {
      decision,
      by: 'timeout',
      at: expiresAt,
      via: 'timeout',
      timedOut: true,
      reason: `no decision within ${String(state.timeout)}`,
    };
    h.records.push({ type: 'ApprovalTimedOut', step, data: { ...outcome } });
    return { next: state.next, output: outcome };
  }
  if (state.remind !== undefined) {
    const every = durationMs(state.remind);
    const requestedAt = Date.parse(requested.at);
    for (let k = 1; k <= state.maxReminders; k++) {
      const fireAt = requestedAt + k * every;
      if (fireAt >= Date.parse(expiresAt)) break;
      if (h.timer(step, `remind-${k}`, { fireAt: new Date(fireAt).toISOString() }) === 'pending') break;
      if (!h.has(step, 'ApprovalNotified', (e) => e.data.notice === 'reminder' && e.data.n === k)) {
        h.commands.push({ kind: 'notifyApproval', step, state: name, approval: state, notice: 'reminder', n: k, input: approvalInput(h, state) });
        break;
      }
    }
  }
  return { status: 'blocked' };
}

function approvalInput(h: StepHistory, state: ApprovalState): { findings?: unknown } {
  return resolveInput(state.input ?? {}, h.scope) as { findings?: unknown };
}
