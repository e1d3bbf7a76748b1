import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { HTML } from '../openapi/apiSchemas.js';
import { contract, formFields } from '../openapi/routeContract.js';
import { isSluiceError, toSluiceError } from '../../core/errors.js';
import { findToken, hashToken } from '../../pipeline/approvals/approvalTokens.js';
import { mayDecide } from '../../pipeline/approvals/Approver.js';
import { decideApproval, pendingApproval } from '../../pipeline/approvals/decideApproval.js';
import { drawPipeline } from '../../pipeline/drawPipeline.js';
import { approvalFindings } from '../../pipeline/approvals/approvalFindings.js';
import { findingsOf } from '../../pipeline/notify/findings.js';
import { plan } from '../../pipeline/plan.js';
import { CSRF_COOKIE, readCookie } from '../csrf.js';
import { approvalPage, messagePage } from '../pages/approvalPage.js';
import { sendPageOf } from '../pageHeaders.js';
import type { ServerContext } from '../serverContext.js';

/** Approval pages: the `token` kind, so the token in the address never leaks as a referrer. */
function htmlReply(reply: FastifyReply, status: number, body: string): FastifyReply {
  return sendPageOf('token', reply, status, body);
}

/**
 * The page an approval link opens (`GET /approve/:token`) and its form (`POST`). A GET only
 * shows; a decision needs the POST with the CSRF token bound to the cookie set by the GET.
 */
export function approvalPageRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const { store } = ctx.runtime;
  const secure = (ctx.runtime.project.config.server.publicUrl ?? '').startsWith('https:');

  const tokenParams = z.object({ token: z.string().min(1).max(200).meta({ description: "The single-use token of the approval message's link" }) });
  app.get(
    '/approve/:token',
    contract({
      params: tokenParams,
      errorShape: 'html',
      ok: { 200: { description: 'The decision page: findings, pipeline diagram and the form (sets the CSRF cookie)', content: HTML } },
      errors: {
        403: 'An unknown link, or its holder may no longer decide',
        409: 'The link was used, or the execution is not waiting for this approval',
        410: 'The link expired',
      },
    }),
    async (req, reply) => {
      const token = (req.params as { token: string }).token;
      const t = await findToken(store.db, token);
      const refuse = (status: number, msg: string) =>
        htmlReply(reply, status, messagePage('This link cannot decide', msg, 'refused', 'Open the execution in the console, or ask for a new link.'));
      if (!t) return refuse(403, 'This approval link is not valid.');
      if (t.used_at) return refuse(409, `This approval link was already used (${t.used_at}).`);
      if (t.expires_at < Date.now()) return refuse(410, `This approval link expired at ${new Date(t.expires_at).toISOString()}.`);
      const rec = await store.require(t.execution_id);
      const history = await store.events(rec.id);
      const pending = pendingApproval(history);
      if (!pending || pending.step !== t.step) return refuse(409, `Execution ${rec.id} is not waiting for this approval (it is ${rec.status}).`);
      // The person the link was sent to, as sluice.yaml says now: removed or demoted, the link no longer decides.
      const holder = ctx.runtime.approvers.find((a) => a.name.toLowerCase() === (t.approver ?? '').toLowerCase());
      if (!holder) return refuse(403, `This link was sent to ${t.approver ?? 'someone'}, who is not a user of this project any more.`);
      if (!mayDecide(holder, pending.requested.data.approvers as string[] | null))
        return refuse(403, `This link was sent to ${holder.name}, who may not decide this approval any more (${holder.role}).`);
      const cookie = readCookie(req.headers.cookie, CSRF_COOKIE) ?? ctx.csrf.newCookieValue();
      const p = plan(rec.definition, history);
      const done = history.filter((e) => e.type === 'StateExited' || e.type === 'ChoiceTaken').map((e) => e.step!);
      reply.header('set-cookie', ctx.csrf.cookie(cookie, secure));
      return htmlReply(
        reply,
        200,
        approvalPage({
          execution: rec,
          step: t.step,
          approver: t.approver ?? 'the holder of this link',
          expiresAt: new Date(t.expires_at).toISOString(),
          findings: findingsOf(approvalFindings(rec.definition, { input: rec.input, results: p.results }, t.step)),
          diagram: drawPipeline(rec.definition, { current: rec.current, done }),
          action: `/approve/${encodeURIComponent(token)}`,
          csrf: ctx.csrf.tokenFor(cookie, hashToken(token)),
        }),
      );
    },
  );

  app.post(
    '/approve/:token',
    contract({
      params: tokenParams,
      errorShape: 'html',
      body: formFields(
        z.object({
          csrf: z.string().optional().meta({ description: "The form's CSRF token" }),
          decision: z.string().optional().meta({ description: 'approve or reject' }),
          comment: z.string().optional(),
          reason: z.string().optional().meta({ description: 'Why: required to reject' }),
        }),
      ),
      bodyTypes: ['application/x-www-form-urlencoded'],
      ok: { 200: { description: 'Decided: a page saying so', content: HTML } },
      errors: {
        400: 'No decision, or a rejection without a reason',
        403: 'No valid CSRF token, an unknown link, or its holder may no longer decide',
        409: 'Decided already, or not waiting for this approval',
        410: 'The link expired',
      },
    }),
    async (req, reply) => {
      const token = (req.params as { token: string }).token;
      const body = (req.body ?? {}) as Record<string, unknown>;
      if (!ctx.csrf.verify(readCookie(req.headers.cookie, CSRF_COOKIE), hashToken(token), body.csrf)) {
        return htmlReply(
          reply,
          403,
          messagePage(
            'Not decided',
            'The form expired or did not come from this page; nothing was decided.',
            'refused',
            'Open the link again and use the form on that page.',
          ),
        );
      }
      const decision = body.decision === 'reject' ? 'reject' : body.decision === 'approve' ? 'approve' : undefined;
      try {
        const d = await decideApproval(store, {
          token,
          approvers: ctx.runtime.approvers,
          decision: decision ?? (String(body.decision) as 'approve'),
          comment: str(body.comment),
          reason: str(body.reason),
          ip: req.ip,
        });
        return htmlReply(
          reply,
          200,
          messagePage(
            d.decision === 'approved' ? 'Approved' : 'Rejected',
            `Execution ${d.executionId} was ${d.decision} by ${d.by} at ${d.at}. Thank you.`,
            'done',
          ),
        );
      } catch (e) {
        const err = toSluiceError(e);
        if (!isSluiceError(e)) req.log.error({ err: e }, 'approval failed');
        return htmlReply(reply, err.httpStatus, messagePage('Not decided', err.message, 'refused', err.hint));
      }
    },
  );
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
