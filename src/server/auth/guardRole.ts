import type { FastifyReply, FastifyRequest } from 'fastify';
import { SluiceError } from '../../core/errors.js';
import { hasRole, type Role } from './AuthGate.js';
import { refusalPage } from './loginPage.js';
import type { Identity } from './RequestIdentity.js';
import { sendPage } from './sendPage.js';

/** Whether the request comes from a person's browser (redirect to login, HTML refusals) rather than an API client. */
export function wantsHtml(req: FastifyRequest): boolean {
  return !req.url.startsWith('/api/') && (req.headers.accept ?? '').includes('text/html');
}

/**
 * Lets through a caller with at least `role`. Otherwise answers and returns false (a browser is
 * sent to /login, or shown a 403 page) or throws (401 AUTH_REQUIRED, 403 FORBIDDEN, or the
 * identity's own error for a bad API token).
 */
export function guardRole(id: Identity, req: FastifyRequest, reply: FastifyReply, role: Role): boolean {
  if (id.error) throw id.error;
  if (!id.user) {
    if (wantsHtml(req)) {
      const next = req.method === 'GET' ? `?next=${encodeURIComponent(req.url)}` : '';
      void reply.redirect(`/login${next}`, 303);
      return false;
    }
    reply.header('www-authenticate', 'Bearer realm="sluice"');
    throw new SluiceError('AUTH_REQUIRED', 'this needs a signed-in user or an API token', {
      httpStatus: 401,
      hint: 'sign in at /login, or send "Authorization: Bearer <token>" (create one with `sluice tokens create --user NAME`)',
    });
  }
  if (!hasRole(id.user.role, role)) {
    const message = `this needs the ${role} role; ${id.user.name} is a ${id.user.role}`;
    const hint = 'an admin can change roles in sluice.yaml (approvers)';
    if (wantsHtml(req)) {
      sendPage(reply, 403, refusalPage('Not allowed', message, hint));
      return false;
    }
    throw new SluiceError('FORBIDDEN', message, { httpStatus: 403, hint });
  }
  return true;
}
