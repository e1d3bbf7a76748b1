import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { executionIdParams } from '../openapi/apiSchemas.js';
import { contract, formFields } from '../openapi/routeContract.js';
import { consoleRoute, csrfField, formText, pageOk, pageRoute, redirectOk } from './consoleRoute.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError, isSluiceError, toSluiceError } from '../../core/errors.js';
import { reportFolder } from '../reportFolder.js';
import { mayDecide } from '../../pipeline/approvals/Approver.js';
import { decideApproval, pendingApproval } from '../../pipeline/approvals/decideApproval.js';
import { approvalFindings } from '../../pipeline/approvals/approvalFindings.js';
import { findingsOf } from '../../pipeline/notify/findings.js';
import { plan } from '../../pipeline/plan.js';
import type { ExecutionStatus } from '../../pipeline/store/ExecutionStore.js';
import { auditDecision } from '../auth/auditDecision.js';
import { hasRole } from '../auth/AuthGate.js';
import { field, type ConsoleScope } from './ConsoleScope.js';
import { executionView } from './executionView.js';
import { qs } from './format.js';
import { executionPage, type ExecutionPageOptions } from './pages/executionPage.js';
import { EXECUTION_STATUSES, executionsPage } from './pages/executionsPage.js';
import { inboxPage, type InboxItem } from './pages/inboxPage.js';
import { reportsPage, type ReportItem } from './pages/reportsPage.js';
import { quoteValue } from '../../core/quoteValue.js';
import { sendEmbeddable, sendHtml } from './sendHtml.js';

const PAGE_SIZE = 25;

/** A page number from the query (1 when absent); nonsense is a 400. */
export function pageNumber(q: unknown): number {
  const raw = qs(q, 'page');
  if (raw === undefined) return 1;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 100_000)
    throw new SluiceError('BAD_PAGE', `page must be a whole number from 1, not ${quoteValue(raw)}`, { httpStatus: 400, hint: 'use the Newer/Older links' });
  return n;
}

function decideSubject(id: string): string {
  return `decide:${id}`;
}

/** Inbox, executions list and detail with the decision form, the embedded report, and the reports list. */
export function executionRoutes(app: FastifyInstance, s: ConsoleScope): void {
  const { runtime, auth } = s.opts;
  const { store } = runtime;
  const b = s.base;

  pageRoute(app, s, '/', { errors: {} }, async (req, reply) => {
    const user = s.user(req);
    const items: InboxItem[] = [];
    for (const r of await store.list({ status: 'waiting', limit: 1000 })) {
      const history = await store.events(r.id);
      const p = pendingApproval(history);
      if (!p) continue;
      const f = findingsOf(approvalFindings(r.definition, { input: r.input, results: plan(r.definition, history).results }, p.step));
      items.push({
        executionId: r.id,
        file: r.file,
        step: p.step,
        requestedAt: p.requested.at,
        expiresAt: p.requested.data.expiresAt as string | undefined,
        verdict: f.verdict,
        gatesPassed: f.gates.filter((g) => g.passed).length,
        gatesFailed: f.gates.filter((g) => !g.passed).length,
        highWarnings: f.highWarnings.length,
        mine: mayDecide(user, p.requested.data.approvers as string[] | null),
      });
    }
    items.sort((x, y) => x.requestedAt.localeCompare(y.requestedAt));
    const shown = user.role === 'viewer' ? items : items.filter((i) => i.mine);
    return sendHtml(reply, 200, inboxPage(s.frame(req, reply), shown, items.length - shown.length));
  });
  if (b !== '') {
    const toInbox = contract({ ok: { 302: { description: 'To the inbox', headers: { location: "The console's inbox" } } }, errors: {} });
    app.get(`${b}/`, toInbox, async (_req, reply) => reply.redirect(b, 302));
    // Mounted under a base: the site's root leads to the inbox, unless something else serves it.
    if (!app.hasRoute({ method: 'GET', url: '/' })) app.get('/', toInbox, async (_req, reply) => reply.redirect(b, 302));
  }

  pageRoute(
    app,
    s,
    '/executions',
    {
      query: z.object({
        status: z.enum(EXECUTION_STATUSES).optional().meta({ description: 'Only executions in this state' }),
        file: formText('Only executions whose file contains this'),
        page: formText('Page number, from 1'),
      }),
      invalidCodes: { status: 'BAD_FILTER' },
      errors: { 400: 'An unknown state (BAD_FILTER) or a bad page number (BAD_PAGE)' },
    },
    async (req, reply) => {
      const status = qs(req.query, 'status'); // one of EXECUTION_STATUSES: the route's schema checked it
      const file = qs(req.query, 'file')?.slice(0, 200);
      const page = pageNumber(req.query);
      const rows = await store.list({ status: status as ExecutionStatus | undefined, file, limit: PAGE_SIZE + 1, offset: (page - 1) * PAGE_SIZE });
      const total = file ? undefined : await store.count(status as ExecutionStatus | undefined);
      return sendHtml(
        reply,
        200,
        executionsPage(
          s.frame(req, reply),
          { status: status as ExecutionStatus | undefined, file, page, pageSize: PAGE_SIZE },
          rows.slice(0, PAGE_SIZE),
          rows.length > PAGE_SIZE,
          total,
        ),
      );
    },
  );

  /** Renders the detail page; the decision form (with its CSRF token) only for a user who may decide the pending approval. */
  const renderDetail = async (req: FastifyRequest, reply: FastifyReply, status: number, id: string, message?: ExecutionPageOptions['message']) => {
    const user = s.user(req);
    const rec = await store.require(id);
    await reportFolder(runtime, rec.id);
    const v = await executionView(runtime, rec);
    const o: ExecutionPageOptions = { message };
    if (v.pending) {
      if (!hasRole(user.role, 'approver')) o.cannotDecide = `You are signed in as ${user.name} (viewer): only approvers and admins decide.`;
      else if (!mayDecide(user, v.pending.approvers))
        o.cannotDecide = `This approval is for ${(v.pending.approvers ?? []).join(', ')}; ${user.name} may not decide it.`;
      else o.decideCsrf = auth.csrfToken(req, reply, decideSubject(id));
    }
    return sendHtml(reply, status, executionPage(s.frame(req, reply), v, o));
  };

  pageRoute(
    app,
    s,
    '/executions/:id',
    {
      params: executionIdParams,
      query: z.object({ decided: formText('approved or rejected: the notice after the decision form (shown only if the history says this user decided so)') }),
      errors: { 404: 'No execution with this id (EXECUTION_NOT_FOUND)' },
    },
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const decided = qs(req.query, 'decided');
      // The notice after the form's redirect, only if the history says this user decided so (a crafted link shows nothing).
      const user = s.user(req);
      const confirmed =
        decided !== undefined &&
        (await store.get(id)) !== undefined &&
        (await store.events(id)).some((e) => e.type === 'ApprovalDecided' && e.data.by === user.name && e.data.decision === decided);
      return renderDetail(req, reply, 200, id, confirmed ? { kind: 'done', text: `You ${decided} this batch. The pipeline continues from here.` } : undefined);
    },
  );

  app.post(
    `${b}/executions/:id/decide`,
    consoleRoute(s, 'approver', {
      params: executionIdParams,
      body: formFields(
        z.object({
          csrf: csrfField,
          decision: z.enum(['approve', 'reject']).optional().meta({ description: 'The button pressed' }),
          comment: formText('Recorded with the decision'),
          reason: formText('Why: required to reject'),
        }),
      ),
      ok: redirectOk('Decided: back to the execution, with a notice'),
      errors: {
        400: 'No decision, or a rejection without a reason: the page again, saying so',
        403: 'No valid CSRF token, or the user may not decide this approval',
        404: 'No execution with this id (EXECUTION_NOT_FOUND)',
        409: 'The execution is not waiting for this approval any more: the page again, saying so',
        413: 'The form is larger than 200 kB',
      },
    }),
    async (req, reply) => {
      const id = (req.params as { id: string }).id;
      const user = s.user(req);
      auth.checkCsrf(req, decideSubject(id));
      const raw = field(req.body, 'decision');
      const comment = field(req.body, 'comment')?.slice(0, 4000);
      const reason = field(req.body, 'reason')?.slice(0, 4000);
      try {
        if (raw !== 'approve' && raw !== 'reject')
          throw new SluiceError('APPROVAL_BAD_DECISION', 'choose Approve or Reject', { httpStatus: 400, hint: 'use one of the two buttons of the form' });
        const d = await decideApproval(store, {
          executionId: id,
          approver: { name: user.name, email: user.email, role: user.role },
          approvers: runtime.approvers,
          decision: raw,
          comment,
          reason,
          ip: req.ip,
        });
        await auditDecision(auth, d, req.ip);
        return reply.redirect(`${b}/executions/${encodeURIComponent(id)}?decided=${d.decision}`, 303);
      } catch (e) {
        const err = toSluiceError(e);
        if (!isSluiceError(e)) req.log.error({ err: e }, 'console decision failed');
        if (err.httpStatus === 404) throw err;
        return renderDetail(req, reply, err.httpStatus, id, { kind: 'refused', text: `Not decided: ${err.message}`, hint: err.hint });
      }
    },
  );

  app.get(
    `${b}/executions/:id/report`,
    consoleRoute(s, 'viewer', {
      params: executionIdParams,
      ok: pageOk("The insights report (for the console's sandboxed frame)"),
      errors: { 404: 'No such execution, or it has no report yet' },
    }),
    async (req, reply) => {
      const rec = await store.require((req.params as { id: string }).id);
      const body = await readFile(join(await reportFolder(runtime, rec.id), 'report.html')).catch(() => {
        throw new SluiceError('NOT_FOUND', `execution ${rec.id} has no report (yet)`, { httpStatus: 404, hint: 'the report step writes it' });
      });
      return sendEmbeddable(reply, body);
    },
  );

  pageRoute(
    app,
    s,
    '/reports',
    {
      query: z.object({ page: formText('Page number, from 1') }),
      errors: { 400: 'A bad page number (BAD_PAGE)' },
    },
    async (req, reply) => {
      const page = pageNumber(req.query);
      const dir = runtime.project.paths.reports;
      const local = (existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [])
        .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'report.html')))
        .map((d) => d.name);
      // With stores.reports in a bucket, the reports other workers wrote are listed too (and fetched below when shown).
      const remote = runtime.stores.reports.remote ? await runtime.stores.reports.names() : [];
      const all = (await Promise.all([...new Set([...local, ...remote])].map((name) => store.get(name))))
        .filter((rec): rec is NonNullable<typeof rec> => rec !== undefined)
        .sort((x, y) => y.createdAt.localeCompare(x.createdAt) || y.id.localeCompare(x.id));
      for (const r of all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE)) await reportFolder(runtime, r.id);
      const items: ReportItem[] = all.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE).map((r) => {
        const summary = readSummary(join(dir, r.id, 'summary.json'));
        return {
          executionId: r.id,
          file: r.file,
          createdAt: r.createdAt,
          status: r.status,
          verdict: typeof summary.verdict === 'string' ? summary.verdict : undefined,
          drift: typeof summary.drift === 'string' ? summary.drift : undefined,
          highWarnings: Array.isArray(summary.warnings) ? summary.warnings.filter((w) => (w as { severity?: string }).severity === 'high').length : 0,
        };
      });
      return sendHtml(reply, 200, reportsPage(s.frame(req, reply), items, page, all.length > page * PAGE_SIZE));
    },
  );
}

function readSummary(file: string): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}
