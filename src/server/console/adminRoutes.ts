import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { formText, pageRoute } from './consoleRoute.js';
import { SluiceError } from '../../core/errors.js';
import type { ConsoleScope } from './ConsoleScope.js';
import { qs } from './format.js';
import { auditPage } from './pages/auditPage.js';
import { settingsPage } from './pages/settingsPage.js';
import { flattenSettings, redactConfig } from './redactConfig.js';
import { quoteValue } from '../../core/quoteValue.js';
import { sendHtml } from './sendHtml.js';

const AUDIT_PAGE = 50;

/** Settings (read-only, redacted) and the audit log. */
export function adminRoutes(app: FastifyInstance, s: ConsoleScope): void {
  const { auth, runtime } = s.opts;

  pageRoute(app, s, '/settings', { errors: {} }, async (req, reply) => {
    const { project } = runtime;
    const { pipeline: _p, ...config } = project.config;
    return sendHtml(
      reply,
      200,
      settingsPage(s.frame(req, reply), {
        root: project.root,
        configFile: project.file,
        settings: flattenSettings(redactConfig(config)),
        pipeline: { name: project.pipeline.name, states: Object.keys(project.pipeline.states) },
      }),
    );
  });

  // Approvers and admins: the log holds who did what from which address.
  pageRoute(
    app,
    s,
    '/audit',
    {
      query: z.object({
        actor: formText('Only entries by this user'),
        action: formText('Only entries of this action (e.g. approval.decide)'),
        before: formText('Entries older than this entry id (the Older link)'),
      }),
      errors: { 400: 'before is not an entry id (BAD_PAGE)' },
    },
    async (req, reply) => {
      const actor = qs(req.query, 'actor')?.slice(0, 200);
      const action = qs(req.query, 'action')?.slice(0, 200);
      const beforeRaw = qs(req.query, 'before');
      const before = beforeRaw === undefined ? undefined : Number(beforeRaw);
      if (before !== undefined && (!Number.isInteger(before) || before < 1))
        throw new SluiceError('BAD_PAGE', `before must be an entry id, not ${quoteValue(beforeRaw)}`, { httpStatus: 400, hint: 'use the Older link' });
      const rows = await auth.auditLog({
        limit: AUDIT_PAGE + 1,
        ...(before !== undefined ? { before } : {}),
        ...(actor ? { actor } : {}),
        ...(action ? { action } : {}),
      });
      return sendHtml(reply, 200, auditPage(s.frame(req, reply), { actor, action, before }, rows.slice(0, AUDIT_PAGE), rows.length > AUDIT_PAGE));
    },
  );
}
