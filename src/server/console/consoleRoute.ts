import type { FastifyInstance, preValidationAsyncHookHandler, RouteHandlerMethod } from 'fastify';
import { z } from 'zod';
import { HTML } from '../openapi/apiSchemas.js';
import { contract, type ResponseDoc, type RouteContract } from '../openapi/routeContract.js';
import type { Role } from '../auth/AuthGate.js';
import { consolePage, type ConsolePagePath } from './consolePages.js';
import type { ConsoleScope } from './ConsoleScope.js';

/** The CSRF token every console form carries (bound to the session and to what the form acts on). */
export const csrfField = z.string().optional().meta({ description: "The form's CSRF token (without a valid one the form is refused, 403)" });

/** A form field as the browser sends it (text; the handler reads what it means). */
export const formText = (description: string) => z.string().optional().meta({ description });

/** An HTML page answer. */
export const pageOk = (description: string): Record<number, ResponseDoc> => ({ 200: { description, content: HTML } });

/** A form's answer: on success a redirect (303) to the page showing the result. */
export const redirectOk = (description: string): Record<number, ResponseDoc> => ({
  303: { description, headers: { location: 'The page that shows the result' } },
});

/**
 * Route options of a console page or form: who may use it (checked before the request is
 * validated, so the anonymous are sent to sign in whatever they sent), and its contract with
 * HTML errors. Form bodies are form-encoded.
 */
export function consoleRoute(
  s: ConsoleScope,
  role: Role,
  c: Omit<RouteContract, 'errorShape' | 'bodyTypes'>,
): { preValidation: preValidationAsyncHookHandler } & ReturnType<typeof contract> {
  return {
    preValidation: s.opts.auth.require(role) as preValidationAsyncHookHandler,
    ...contract({ ...c, errorShape: 'html', ...(c.body ? { bodyTypes: ['application/x-www-form-urlencoded'] } : {}) }),
  };
}

/**
 * Registers the GET route of a console page: its path, who may open it and its description come
 * from CONSOLE_PAGES (consolePages.ts); its parameters, query and errors from `c`.
 */
export function pageRoute(
  app: FastifyInstance,
  s: ConsoleScope,
  path: ConsolePagePath,
  c: Omit<RouteContract, 'ok' | 'errorShape' | 'bodyTypes' | 'body'>,
  handler: RouteHandlerMethod,
): void {
  const page = consolePage(path);
  app.get(path === '/' ? s.base || '/' : `${s.base}${path}`, consoleRoute(s, page.role, { ...c, ok: pageOk(page.summary) }), handler);
}
