import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { SluiceError } from '../../core/errors.js';
import { decideApproval, pendingApproval } from '../../pipeline/approvals/decideApproval.js';
import { auditDecision } from '../auth/auditDecision.js';
import type { ServerContext } from '../serverContext.js';
import { approvalOutcomeSchema, executionIdParams } from '../openapi/apiSchemas.js';
import { contract, type RouteContract } from '../openapi/routeContract.js';

const comment = z.string().max(4000).optional().meta({ description: 'Recorded with the decision' });
const reason = z.string().max(4000).optional().meta({ description: 'Why: required to reject' });
const decisionBody = z.object({ comment, reason });
const tokenBody = z.object({
  token: z.string().min(1).max(200).meta({ description: "The single-use token of the approval message's link" }),
  decision: z.enum(['approve', 'reject']),
  comment,
  reason,
});

const pendingSchema = z.object({
  approvals: z.array(
    z.object({ executionId: z.string(), file: z.string().nullable(), step: z.string(), requestedAt: z.string(), expiresAt: z.string().nullable().optional() }),
  ),
});

/** What deciding can answer, however the approver proves who they are. */
const decisionErrors: RouteContract['errors'] = {
  400: 'A bad field, or a rejection without a reason (APPROVAL_REASON_REQUIRED)',
  403: 'The approver may not decide this approval (APPROVAL_FORBIDDEN)',
  404: 'No execution with this id (EXECUTION_NOT_FOUND)',
  409: 'The execution is not waiting for an approval, or it was decided already',
  413: 'The body is larger than 1 MB',
};

/** REST routes for approvals: pending list, decide as an authenticated approver, decide by token. */
export function approvalRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.runtime;

  app.get(
    '/api/approvals',
    contract({
      ok: { 200: { description: 'The approvals waiting for a decision', json: pendingSchema } },
      errors: {},
    }),
    async () => {
      const waiting = await store.list({ status: 'waiting', limit: 1000 });
      const histories = await Promise.all(waiting.map((r) => store.events(r.id)));
      const pending = waiting.flatMap((r, i) => {
        const p = pendingApproval(histories[i]!);
        return p ? [{ executionId: r.id, file: r.file, step: p.step, requestedAt: p.requested.at, expiresAt: p.requested.data.expiresAt }] : [];
      });
      return { approvals: pending };
    },
  );

  const byApprover = (decision: 'approve' | 'reject') => async (req: FastifyRequest) => {
    const approver = ctx.authenticate ? await ctx.authenticate(req) : undefined;
    if (!approver)
      throw new SluiceError('APPROVAL_UNAUTHENTICATED', 'deciding needs an authenticated approver', {
        httpStatus: 401,
        hint: 'log in, send an API token, or use the link from the approval message',
      });
    const body = (req.body ?? {}) as { comment?: string; reason?: string };
    const executionId = (req.params as { id: string }).id;
    try {
      const d = await decideApproval(store, {
        executionId,
        approver,
        approvers: ctx.runtime.approvers,
        decision,
        comment: body.comment,
        reason: body.reason,
        ip: req.ip,
      });
      if (ctx.auth) await auditDecision(ctx.auth, d, req.ip);
      return d;
    } catch (e) {
      if (ctx.auth && (e as { code?: string }).code === 'APPROVAL_FORBIDDEN') {
        await ctx.auth.audit({
          actor: approver.name,
          action: 'approval.denied',
          target: `execution:${executionId}`,
          detail: `${approver.role} may not ${decision}`,
          ip: req.ip,
        });
      }
      throw e;
    }
  };
  const asApprover = (what: string) =>
    contract({
      params: executionIdParams,
      body: decisionBody,
      bodyOptional: true,
      ok: { 200: { description: `${what}: the decision as recorded`, json: approvalOutcomeSchema } },
      errors: { ...decisionErrors, 401: 'No authenticated approver (APPROVAL_UNAUTHENTICATED, AUTH_REQUIRED)' },
    });
  app.post('/api/executions/:id/approve', asApprover('Approved'), byApprover('approve'));
  app.post('/api/executions/:id/reject', asApprover('Rejected'), byApprover('reject'));

  app.post(
    '/api/approvals/decide',
    contract({
      body: tokenBody,
      ok: { 200: { description: 'Decided: the decision as recorded', json: approvalOutcomeSchema } },
      errors: {
        ...decisionErrors,
        403: 'An unknown token, or its holder may no longer decide (APPROVAL_TOKEN_INVALID, APPROVAL_FORBIDDEN)',
        409: 'The token was used already, or the execution is not waiting for this approval',
        410: 'The token expired',
      },
    }),
    async (req) => {
      const b = req.body as { token: string; decision: 'approve' | 'reject'; comment?: string; reason?: string };
      const d = await decideApproval(store, {
        token: b.token,
        approvers: ctx.runtime.approvers,
        decision: b.decision,
        comment: b.comment,
        reason: b.reason,
        ip: req.ip,
      });
      if (ctx.auth) await auditDecision(ctx.auth, d, req.ip);
      return d;
    },
  );
}
