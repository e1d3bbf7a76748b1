import { SluiceError } from '../../core/errors.js';
import type { ApprovalOutcome, ExecutionEvent } from '../events.js';
import type { ExecutionStore } from '../store/ExecutionStore.js';
import { findToken } from './approvalTokens.js';
import { mayDecide, type Approver } from './Approver.js';

export interface DecisionRequest {
  decision: 'approve' | 'reject';
  /** A token from an approval message; or, for an authenticated approver, `executionId` + `approver`. */
  token?: string | undefined;
  executionId?: string | undefined;
  approver?: Approver | undefined;
  comment?: string | undefined;
  /** Required to reject. */
  reason?: string | undefined;
  /** Where the decision came from (the client's IP address), recorded. */
  ip?: string | undefined;
  /**
   * The users as sluice.yaml says now: the person a token was issued to (and an `approver`
   * resolved earlier) is looked up here at decision time, so a user removed or demoted to viewer
   * since cannot decide. Required to decide by token.
   */
  approvers?: readonly Approver[] | undefined;
}

/** The approval an execution is waiting for, if any: the step and its request event. */
export function pendingApproval(history: readonly ExecutionEvent[]): { step: string; requested: ExecutionEvent } | undefined {
  const closed = new Set(history.filter((e) => e.type === 'ApprovalDecided' || e.type === 'ApprovalTimedOut').map((e) => e.step));
  const open = history.filter((e) => e.type === 'ApprovalRequested' && !closed.has(e.step));
  const last = open.at(-1);
  return last?.step ? { step: last.step, requested: last } : undefined;
}

const refuse = (code: string, message: string, httpStatus: number, hint: string) => new SluiceError(code, message, { httpStatus, hint });

/**
 * The person deciding, as the configuration says now: the user named `name` in `approvers`, or a
 * 403 APPROVAL_USER_UNKNOWN when they are no longer there. Their role is checked by {@link mayDecide}.
 */
export function currentDecider(approvers: readonly Approver[], name: string | null | undefined): Approver {
  const lower = (name ?? '').toLowerCase();
  const who = lower ? approvers.find((a) => a.name.toLowerCase() === lower) : undefined;
  if (!who) {
    throw refuse(
      'APPROVAL_USER_UNKNOWN',
      `${name ? `"${name}"` : 'the holder of this link'} is not a user of this project any more; nothing was decided`,
      403,
      'an admin can add the user back to sluice.yaml approvers, or another approver decides in the console',
    );
  }
  return who;
}

/**
 * Records an approver's decision, atomically: the execution must be waiting for this approval,
 * the token (if used) must be known, unused and unexpired, the person (the token's, checked
 * against `approvers` as they are now) must still be a user allowed to decide, and a
 * rejection must give a reason. Any refusal changes nothing. On success the token is spent, the
 * `ApprovalDecided` event is appended and the execution is woken.
 */
export async function decideApproval(
  store: ExecutionStore,
  req: DecisionRequest,
  now = Date.now(),
): Promise<ApprovalOutcome & { executionId: string; step: string }> {
  const comment = req.comment?.trim() || undefined;
  const reason = req.reason?.trim() || undefined;
  if (req.decision !== 'approve' && req.decision !== 'reject') {
    throw refuse('APPROVAL_BAD_DECISION', `decision must be approve or reject, not "${String(req.decision)}"`, 400, 'send decision=approve or decision=reject');
  }
  if (req.decision === 'reject' && !reason) {
    throw refuse('APPROVAL_REASON_REQUIRED', 'a rejection needs a reason', 400, 'say why the batch is rejected (it is recorded and shown to the team)');
  }
  return store.transaction(async (tx) => {
    let executionId = req.executionId;
    let by: string;
    let via: ApprovalOutcome['via'];
    let tokenId: string | undefined;
    let tokenStep: string | undefined;
    let decider = req.approver;
    if (req.token !== undefined) {
      if (!req.approvers) throw new Error('decideApproval: deciding by token needs the current approvers');
      const t = await findToken(tx.db, req.token);
      if (!t || (executionId !== undefined && t.execution_id !== executionId)) {
        throw refuse('APPROVAL_TOKEN_INVALID', 'this approval link is not valid', 403, 'use the link from the latest message, or decide in the console');
      }
      if (t.used_at)
        throw refuse(
          'APPROVAL_TOKEN_USED',
          `this approval link was already used (${t.used_at})`,
          409,
          'each link decides once; see the execution for the recorded decision',
        );
      if (t.expires_at < now)
        throw refuse(
          'APPROVAL_TOKEN_EXPIRED',
          `this approval link expired at ${new Date(t.expires_at).toISOString()}`,
          410,
          'the approval timed out or the link is old; see the execution',
        );
      executionId = t.execution_id;
      tokenId = t.id;
      tokenStep = t.step;
      // The link carries a person: are they still one who may decide?
      decider = currentDecider(req.approvers, t.approver);
      by = decider.name;
      via = 'token';
    } else {
      if (!req.approver)
        throw refuse(
          'APPROVAL_UNAUTHENTICATED',
          'deciding needs an approval token or an authenticated approver',
          401,
          'log in as an approver, or use the link from the approval message',
        );
      if (!executionId) throw refuse('APPROVAL_NO_EXECUTION', 'which execution? none was given', 400, 'name the execution id');
      // Resolved by the caller at some earlier point: re-checked against the users as they are now.
      if (req.approvers) decider = currentDecider(req.approvers, req.approver.name);
      by = req.approver.name;
      via = 'approver';
    }
    const rec = await tx.get(executionId);
    if (!rec) throw refuse('EXECUTION_NOT_FOUND', `no execution ${executionId}`, 404, 'list executions with `sluice executions list`');
    const history = await tx.events(rec.id);
    const pending = pendingApproval(history);
    if (!pending || (rec.status !== 'running' && rec.status !== 'waiting') || (tokenStep !== undefined && tokenStep !== pending.step)) {
      const decided = [...history].reverse().find((e) => e.type === 'ApprovalDecided' || e.type === 'ApprovalTimedOut');
      const already = decided ? ` (already ${String(decided.data.decision)} by ${String(decided.data.by)} at ${String(decided.data.at)})` : '';
      throw refuse('APPROVAL_NOT_WAITING', `execution ${rec.id} is not waiting for an approval; it is ${rec.status}${already}`, 409, 'nothing was changed');
    }
    if (decider && !mayDecide(decider, pending.requested.data.approvers as string[] | null)) {
      const now =
        decider.role === 'viewer' ? `${decider.name} is a viewer and may not decide` : `${decider.name} (${decider.role}) may not decide this approval`;
      throw refuse(
        'APPROVAL_FORBIDDEN',
        `${now}; nothing was decided`,
        403,
        decider.role === 'viewer'
          ? 'viewers read only; an admin can change roles in sluice.yaml approvers'
          : 'only the configured approvers of this step can decide',
      );
    }
    const outcome: ApprovalOutcome = {
      decision: req.decision === 'approve' ? 'approved' : 'rejected',
      by,
      at: new Date(now).toISOString(),
      via,
      timedOut: false,
      ...(comment ? { comment } : {}),
      ...(reason ? { reason } : {}),
      ...(req.ip ? { ip: req.ip } : {}),
    };
    const appended = await tx.append(rec.id, [{ type: 'ApprovalDecided', step: pending.step, data: { ...outcome } }], rec.lastSeq, { wakeAt: 0 });
    if (!appended) throw refuse('EXECUTION_CHANGED', `execution ${rec.id} changed while deciding; try again`, 409, 'nothing was changed');
    if (tokenId) await tx.db.run('UPDATE approval_tokens SET used_at = ? WHERE id = ?', [outcome.at, tokenId]);
    return { ...outcome, executionId: rec.id, step: pending.step };
  });
}
