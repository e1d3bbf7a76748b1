import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HTML } from '../openapi/apiSchemas.js';
import { contract, formFields } from '../openapi/routeContract.js';
import { isSluiceError } from '../../core/errors.js';
import type { ServerAuthGate } from './ServerAuthGate.js';
import { loginPage, refusalPage } from './loginPage.js';
import { safeNext } from './safeNext.js';
import { sendPage } from './sendPage.js';

const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string().meta({ description: 'approval.approve, model.promote, login, login.failed, token.create, ...' }),
  target: z.string().meta({ description: 'execution:<id>, model:<name>@<version>, user:<name>' }),
  detail: z.string().nullable(),
  ip: z.string().nullable(),
});

function form(req: FastifyRequest): Record<string, unknown> {
  return req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body) ? (req.body as Record<string, unknown>) : {};
}

/**
 * GET /login (the form), POST /login (name, password, csrf, next), POST /logout, and
 * GET /api/audit (approvers and admins: the audit log, newest first, `?limit&before&actor&action`).
 * A good login opens a session and redirects (303) to `next` when it is a path on this server,
 * else to the gate's home. Failures re-show the form: 401 for a wrong name or password (the same
 * words for both), 429 with Retry-After past the rate limit, 400 for missing or oversized fields,
 * 403 for a missing or wrong CSRF token.
 */
export function loginRoutes(app: FastifyInstance, gate: ServerAuthGate): void {
  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

  const show = (req: FastifyRequest, reply: FastifyReply, status: number, extra: { next: string; name?: string | undefined; error?: string | undefined }) =>
    sendPage(reply, status, loginPage({ csrf: gate.csrfToken(req, reply, 'login'), signedInAs: gate.userOf(req)?.name, ...extra }));

  const errorPages = { errorShape: 'html' as const };
  app.get(
    '/login',
    contract({
      ...errorPages,
      query: z.object({ next: z.string().optional().meta({ description: 'Where to go after signing in (a path on this server)' }) }),
      ok: { 200: { description: 'The sign-in form (sets the CSRF cookie)', content: HTML } },
      errors: {},
    }),
    async (req, reply) => {
      const q = (req.query ?? {}) as Record<string, unknown>;
      return show(req, reply, 200, { next: safeNext(q.next, gate.home) });
    },
  );

  app.post(
    '/login',
    contract({
      ...errorPages,
      body: formFields(
        z.object({
          name: z.string().optional().meta({ description: 'User name (sluice.yaml approvers)' }),
          password: z.string().optional(),
          csrf: z.string().optional().meta({ description: "The form's CSRF token" }),
          next: z.string().optional().meta({ description: 'Where to go after signing in' }),
        }),
      ),
      bodyTypes: ['application/x-www-form-urlencoded'],
      ok: {
        303: {
          description: 'Signed in: the session cookie is set, on to `next`',
          headers: { location: '`next` when it is a path on this server, else the console', 'set-cookie': 'The session cookie' },
        },
      },
      errors: {
        400: 'A missing or oversized field: the form again',
        401: 'Wrong name or password (the same words for both): the form again',
        403: 'No valid CSRF token: the form again',
        429: 'Too many failed attempts: the form again, with Retry-After',
      },
    }),
    async (req, reply) => {
      const b = form(req);
      const next = safeNext(b.next, gate.home);
      const name = typeof b.name === 'string' ? b.name.slice(0, 200) : undefined;
      try {
        gate.checkCsrf(req, 'login');
      } catch {
        return show(req, reply, 403, { next, name, error: 'The form expired or did not come from this site. Please sign in again.' });
      }
      try {
        const r = await gate.login(b.name, b.password, { ip: req.ip, userAgent: req.headers['user-agent'] });
        if (!r.ok) {
          if (r.retryAfter) reply.header('retry-after', String(r.retryAfter));
          return show(req, reply, r.status, { next, name, error: r.message });
        }
        // Signing in over an existing session (switching user) ends that one.
        await gate.logout(req);
        reply.header('set-cookie', gate.sessionCookie(r.sessionId));
        return reply.redirect(next, 303);
      } catch (e) {
        if (!isSluiceError(e)) throw e;
        return show(req, reply, e.httpStatus, { next, name, error: `${e.message}.` });
      }
    },
  );

  app.get(
    '/api/audit',
    {
      ...contract({
        query: z.object({
          limit: z.coerce.number().int().min(1).max(10000).default(100).meta({ description: 'At most this many' }),
          before: z.coerce.number().int().min(1).optional().meta({ description: 'Entries older than this id (paging)' }),
          actor: z.string().max(200).optional().meta({ description: 'Only entries by this user' }),
          action: z.string().max(100).optional().meta({ description: 'Only entries of this action, e.g. approval.decide' }),
        }),
        ok: { 200: { description: 'The audit log, newest first', json: z.object({ entries: z.array(auditEntrySchema) }) } },
        errors: { 400: 'A bad query parameter (BAD_REQUEST)' },
      }),
      preHandler: gate.require('approver'),
    },
    async (req) => ({ entries: await gate.auditLog(req.query as { limit: number; before?: number; actor?: string; action?: string }) }),
  );

  app.post(
    '/logout',
    contract({
      ...errorPages,
      body: formFields(z.object({ csrf: z.string().optional().meta({ description: "The Sign out button's CSRF token" }) })),
      bodyTypes: ['application/x-www-form-urlencoded'],
      ok: { 303: { description: 'Signed out: on to /login', headers: { location: '/login', 'set-cookie': 'Clears the session cookie' } } },
      errors: { 403: 'No valid CSRF token: nothing changed' },
    }),
    async (req, reply) => {
      try {
        gate.checkCsrf(req, 'logout');
      } catch (e) {
        if (!isSluiceError(e)) throw e;
        return sendPage(reply, 403, refusalPage('Not signed out', e.message, 'Use the Sign out button of a page of this site.'));
      }
      await gate.logout(req);
      reply.header('set-cookie', gate.clearSessionCookie());
      return reply.redirect('/login', 303);
    },
  );
}
