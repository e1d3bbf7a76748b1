import type { FastifyInstance } from 'fastify';
import { html } from '../../core/html.js';
import { isSluiceError, toSluiceError } from '../../core/errors.js';
import { layout } from '../pages/layout.js';
import { adminRoutes } from './adminRoutes.js';
import { catalogRoutes } from './catalogRoutes.js';
import type { ConsoleOptions } from './ConsoleOptions.js';
import { consoleScope } from './ConsoleScope.js';
import { endpointRoutes } from './endpointRoutes.js';
import { executionRoutes } from './executionRoutes.js';
import { errorPage } from './pages/errorPage.js';
import { sendHtml } from './sendHtml.js';
import { boundErrorBody } from '../boundErrorBody.js';

export type { ConsoleEndpoint, ConsoleOptions } from './ConsoleOptions.js';

/**
 * The web console, as a Fastify plugin: server-rendered pages for people (no script, nothing
 * external). Every page needs a signed-in user (`auth.require`); deciding needs an approver,
 * promoting and rolling back an admin, and every form carries a CSRF token bound to what it acts
 * on. Errors answer as console pages with the error's status.
 *
 * The pages are listed once, in CONSOLE_PAGES (consolePages.ts); each route file registers the
 * handlers of its pages with `pageRoute`, and their forms (POST) and embedded reports beside them.
 *
 * @example
 * await app.register(consoleRoutes, { runtime, auth, registry, features, endpoint: { host: mounted.host, model: 'readmission' } });
 */
export async function consoleRoutes(app: FastifyInstance, opts: ConsoleOptions): Promise<void> {
  const base = (opts.base ?? '').replace(/\/+$/, '');
  const s = consoleScope(opts, base);

  if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) {
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 200_000 }, (_req, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  }

  // Scoped to this plugin: the API keeps answering errors as JSON.
  app.setErrorHandler((e, req, reply) => {
    const validation = (e as { validation?: unknown }).validation !== undefined;
    const err = isSluiceError(e)
      ? e
      : toSluiceError(e, validation ? 'BAD_REQUEST' : 'INTERNAL', validation ? 400 : ((e as { statusCode?: number }).statusCode ?? 500));
    if (err.httpStatus >= 500) req.log.error({ err: e }, 'console page failed');
    const message =
      err.httpStatus >= 500
        ? 'The page could not be built; the error is in the server log.'
        : String(boundErrorBody({ code: err.code, message: err.message }, 4096).message);
    const user = opts.auth.userOf(req);
    if (!user)
      return sendHtml(
        reply,
        err.httpStatus,
        layout(
          'Refused',
          html`<h1>Refused</h1><div class="refused"><p>${message}</p>${err.hint ? html`<p>${err.hint}</p>` : ''}</div><p><a href="/login">Sign in</a></p>`,
        ),
      );
    return sendHtml(reply, err.httpStatus, errorPage(s.frame(req, reply), err.httpStatus, message, err.hint));
  });

  executionRoutes(app, s);
  catalogRoutes(app, s);
  endpointRoutes(app, s);
  adminRoutes(app, s);
}
