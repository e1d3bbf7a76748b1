import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SluiceError } from '../../core/errors.js';
import { decideApproval, pendingApproval } from '../../pipeline/approvals/decideApproval.js';
import { auditDecision } from '../auth/auditDecision.js';
import type { ServerContext } from '../serverContext.js';

const decisionBody = {
  type: 'object',
  additionalProperties: false,
  properties: { comment: { type: 'string', maxLength: 4000 }, reason: { type: 'string', maxLength: 4000 } },
} as const;

/** REST routes for approvals: pending list, decide as an authenticated approver, decide by token. */
export function approvalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.runtime;

  app.get('/api/approvals', async () => {
    const waiting = store.list({ status: 'waiting', limit: 1000 });
    const pending = waiting.flatMap((r) => {
      const p = pendingApproval(store.events(r.id));
      return p ? [{ executionId: r.id, file: r.file, step: p.step, requestedAt: p.requested.at, expiresAt: p.requested.data.expiresAt }] : [];
    });
    return { approvals: pending };
  });

  const byApprover = (decision: 'approve' | 'reject') => async (req: FastifyRequest) => {
    const approver = ctx.authenticate ? await ctx.authenticate(req) : undefined;
    if (!approver) throw new SluiceError('APPROVAL_UNAUTHENTICATED', 'deciding needs an authenticated approver', { httpStatus: 401, hint: 'log in, send an API token, or use the link from the approval message' });
    const body = (req.body ?? {}) as { comment?: string; reason?: string };
    const executionId = (req.params as { id: string }).id;
    try {
      const d = decideApproval(store, { executionId, approver, approvers: ctx.runtime.approvers, decision, comment: body.comment, reason: body.reason, ip: req.ip });
      if (ctx.auth) auditDecision(ctx.auth, d, req.ip);
      return d;
    } catch (e) {
      if (ctx.auth && (e as { code?: string }).code === 'APPROVAL_FORBIDDEN') {
        ctx.auth.audit({ actor: approver.name, action: 'approval.denied', target: `execution:${executionId}`, detail: `${approver.role} may not ${decision}`, ip: req.ip });
      }
      throw e;
    }
  };
  app.post('/api/executions/:id/approve', { schema: { body: decisionBody } }, byApprover('approve'));
  app.post('/api/executions/:id/reject', { schema: { body: decisionBody } }, byApprover('reject'));

  app.post('/api/approvals/decide', {
    schema: {
      body: {
        type: 'object', required: ['token', 'decision'], additionalProperties: false,
        properties: { token: { type: 'string', minLength: 1, maxLength: 200 }, decision: { type: 'string', enum: ['approve', 'reject'] }, comment: { type: 'string', maxLength: 4000 }, reason: { type: 'string', maxLength: 4000 } },
      },
    },
  }, async (req) => {
    const b = req.body as { token: string; decision: 'approve' | 'reject'; comment?: string; reason?: string };
    const d = decideApproval(store, { token: b.token, approvers: ctx.runtime.approvers, decision: b.decision, comment: b.comment, reason: b.reason, ip: req.ip });
    if (ctx.auth) auditDecision(ctx.auth, d, req.ip);
    return d;
  });
}
