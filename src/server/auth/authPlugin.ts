import type { FastifyPluginAsync } from 'fastify';
import type { ExecutionStore } from '../../pipeline/store/ExecutionStore.js';
import { auditLinkDecisions } from './auditDecision.js';
import { loginRoutes } from './loginRoutes.js';
import { routePolicy } from './routePolicy.js';
import type { ServerAuthGate } from './ServerAuthGate.js';

export interface AuthPluginOptions {
  gate: ServerAuthGate;
  /** The execution store, to audit decisions taken on approval-link pages. */
  store: ExecutionStore;
}

/**
 * Mounts a {@link ServerAuthGate} on a server: /login, /logout and /api/audit; the role
 * {@link routePolicy} names for each built-in route (and the CSRF check of every write by a
 * signed-in caller); the audit of approval-link decisions. Its hooks apply to the whole server,
 * not only to routes registered inside it (like `fastify-plugin`'s `skip-override`).
 *
 * @example
 * await app.register(authPlugin, { gate, store: runtime.store });
 */
export const authPlugin: FastifyPluginAsync<AuthPluginOptions> = async (app, { gate, store }) => {
  loginRoutes(app, gate);
  // Who the caller is, looked up once before anything reads it (the stores are asynchronous).
  app.addHook('onRequest', async (req) => {
    await gate.identify(req);
  });
  // preValidation runs before the body schema strips unknown fields such as `csrf`.
  app.addHook('preValidation', async (req, reply) => {
    const need = routePolicy(req.method, req.routeOptions.url ?? '');
    if (need === undefined || need === 'open') return;
    if (!gate.guard(req, reply, need)) return reply;
    if (req.method !== 'GET' && req.method !== 'HEAD') gate.checkCsrf(req);
  });
  auditLinkDecisions(app, gate, store);
};
(authPlugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
