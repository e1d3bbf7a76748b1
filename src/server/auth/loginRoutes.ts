import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isSluiceError } from '../../core/errors.js';
import type { ServerAuthGate } from './createAuthGate.js';
import { loginPage, refusalPage } from './loginPage.js';
import { safeNext } from './safeNext.js';
import { sendPage } from './sendPage.js';

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

  app.get('/login', async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    return show(req, reply, 200, { next: safeNext(q.next, gate.home) });
  });

  app.post('/login', async (req, reply) => {
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
      gate.logout(req);
      reply.header('set-cookie', gate.sessionCookie(r.sessionId));
      return reply.redirect(next, 303);
    } catch (e) {
      if (!isSluiceError(e)) throw e;
      return show(req, reply, e.httpStatus, { next, name, error: `${e.message}.` });
    }
  });

  app.get('/api/audit', {
    schema: {
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { limit: { type: 'integer', minimum: 1, maximum: 10000, default: 100 }, before: { type: 'integer', minimum: 1 }, actor: { type: 'string', maxLength: 200 }, action: { type: 'string', maxLength: 100 } },
      },
    },
    preHandler: gate.require('approver'),
  }, async (req) => ({ entries: gate.auditLog(req.query as { limit: number; before?: number; actor?: string; action?: string }) }));

  app.post('/logout', async (req, reply) => {
    try {
      gate.checkCsrf(req, 'logout');
    } catch (e) {
      if (!isSluiceError(e)) throw e;
      return sendPage(reply, 403, refusalPage('Not signed out', e.message, 'Use the Sign out button of a page of this site.'));
    }
    gate.logout(req);
    reply.header('set-cookie', gate.clearSessionCookie());
    return reply.redirect('/login', 303);
  });
}
