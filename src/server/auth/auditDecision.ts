import type { FastifyInstance } from 'fastify';
import { findToken } from '../../pipeline/approvals/approvalTokens.js';
import type { ApprovalOutcome } from '../../pipeline/events.js';
import type { ExecutionStore } from '../../pipeline/store/ExecutionStore.js';
import type { AuthGate } from './AuthGate.js';

/**
 * Records an approval decision in the audit log: `approval.approve` or `approval.reject` on
 * `execution:<id>`, by the approver, with the step, the channel, the comment and the reason.
 * Every route that calls `decideApproval` calls this after it succeeds.
 *
 * @example
 * const d = await decideApproval(store, { executionId, approver, decision: 'approve', ip: req.ip });
 * auditDecision(gate, d, req.ip);
 */
export async function auditDecision(gate: Pick<AuthGate, 'audit'>, d: ApprovalOutcome & { executionId: string; step: string }, ip?: string): Promise<void> {
  const detail = [
    `step ${d.step}`,
    `via ${d.via === 'token' ? 'approval link' : d.via === 'approver' ? 'signed-in user or API token' : d.via}`,
    d.comment ? `comment: ${d.comment}` : '',
    d.reason ? `reason: ${d.reason}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  await gate.audit({
    actor: d.by,
    action: d.decision === 'approved' ? 'approval.approve' : 'approval.reject',
    target: `execution:${d.executionId}`,
    detail,
    ip: ip ?? d.ip ?? null,
  });
}

/**
 * Audits decisions made on the approval-link page (POST /approve/:token), which decides by token
 * alone: after a successful answer, the decision the token recorded is read back from the
 * execution history and logged.
 */
export function auditLinkDecisions(app: FastifyInstance, gate: Pick<AuthGate, 'audit'>, store: ExecutionStore): void {
  app.addHook('onResponse', async (req, reply) => {
    if (req.method !== 'POST' || req.routeOptions.url !== '/approve/:token' || reply.statusCode !== 200) return;
    try {
      const t = await findToken(store.db, (req.params as { token: string }).token);
      if (!t?.used_at) return;
      const decided = [...(await store.events(t.execution_id))].reverse().find((e) => e.type === 'ApprovalDecided' && e.step === t.step);
      if (!decided) return;
      await auditDecision(gate, { ...(decided.data as unknown as ApprovalOutcome), executionId: t.execution_id, step: t.step }, req.ip);
    } catch (e) {
      req.log.error({ err: e }, 'could not audit an approval-link decision');
    }
  });
}
