import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import { isSluiceError, SluiceError, toSluiceError } from '../core/errors.js';
import type { Project } from '../pipeline/project/loadProject.js';
import { ProjectRuntime } from '../pipeline/project/ProjectRuntime.js';
import { featureStoreFromConfig } from '../features/featureStoreFromConfig.js';
import { Csrf } from './csrf.js';
import { fastifyLimits } from './serverLimits.js';
import { z } from 'zod';
import { boundErrorBody } from './boundErrorBody.js';
import { checkJsonDepth } from '../core/jsonDepth.js';
import { refuseReservedKeys } from '../core/refuseReservedKeys.js';
import { mountOpenApi } from './openapi/buildOpenApi.js';
import { contract } from './openapi/routeContract.js';
import { sluiceVersion } from '../training/sluiceVersion.js';
import { authPlugin } from './auth/authPlugin.js';
import type { ServerAuthGate } from './auth/ServerAuthGate.js';
import { ModelRegistry } from '../models/ModelRegistry.js';
import { defaultModelName } from '../pipeline/activities/modelSettings.js';
import { mountEndpoint } from './endpoint/mountEndpoint.js';
import { invocationGuard } from './endpoint/invocationGuard.js';
import { consoleRoutes } from './console/consoleRoutes.js';
import { featureRoutes } from './routes/features.js';
import { approvalPageRoutes } from './routes/approvalPages.js';
import { approvalRoutes } from './routes/approvals.js';
import { executionRoutes } from './routes/executions.js';
import { reportRoutes } from './routes/reports.js';
import { s3EventRoutes } from './routes/s3Events.js';
import type { Authenticate, ServerContext } from './serverContext.js';

export interface CreateServerOptions {
  project: Project;
  /** An opened runtime to serve; one is opened (and closed with the server) when absent. */
  runtime?: ProjectRuntime;
  /** Resolves the caller (sessions, API tokens); without it only approval-link tokens decide. */
  authenticate?: Authenticate;
  /**
   * Authentication (src/server/auth/createAuthGate.ts, mounted by authPlugin.ts): adds /login and /logout, resolves callers
   * from sessions and API tokens, requires the role {@link routePolicy} names for each built-in
   * route, checks CSRF tokens of signed-in callers on API writes, and audits decisions.
   */
  auth?: ServerAuthGate;
  /** Further route plugins (features, models, console), registered after the built-in routes. */
  plugins?: Array<FastifyPluginAsync<{ runtime: ProjectRuntime }>>;
  csrfSecret?: Buffer;
  /** Mount the feature store's routes under /api/features (default true). */
  features?: boolean;
  /**
   * Serve the champion of the project's model (`model.name` in sluice.yaml) at `/invocations`,
   * with `/ping`, `/metrics` and the registry routes under `/api/models` (default true).
   */
  endpoint?: boolean;
  /** Mount the web console at `/` (default true; needs `auth`). */
  console?: boolean;
}

/**
 * The HTTP server: REST API for executions and approvals, the approval pages, and whatever
 * plugins are given. Errors answer as JSON `{ code, message, hint, location }` with the
 * SluiceError's status. Tested in-process with `app.inject()`.
 *
 * @example
 * const app = await createServer({ project: loadProject('.') });
 * await app.listen({ host: '127.0.0.1', port: 7300 });
 */
export async function createServer(opts: CreateServerOptions): Promise<FastifyInstance> {
  const ownRuntime = !opts.runtime;
  const runtime = opts.runtime ?? (await ProjectRuntime.open(opts.project));
  const limits = opts.project.config.server.limits;
  const app = Fastify({
    loggerInstance: runtime.log as unknown as FastifyBaseLogger,
    trustProxy: false,
    bodyLimit: 1_048_576,
    ...fastifyLimits(limits),
  }) as unknown as FastifyInstance;
  // Connections beyond this are closed as they arrive: file descriptors are never exhausted.
  app.server.maxConnections = limits.maxConnections;
  mountOpenApi(app, { version: sluiceVersion(), publicUrl: opts.project.config.server.publicUrl }); // first: it records every route added after it
  const auth = opts.auth;
  const ctx: ServerContext = {
    runtime,
    csrf: new Csrf(opts.csrfSecret),
    auth,
    authenticate: opts.authenticate ?? (auth ? (req) => auth.authenticate(req) : undefined),
  };

  // Every JSON body is checked for depth before it is parsed (400 JSON_TOO_DEEP), then parsed
  // as Fastify does (a `constructor.prototype` refused), and a `__proto__` key anywhere is a 400
  // JSON_RESERVED_KEY naming its path (Fastify's parser called it "not valid JSON"; zod's
  // records would drop it). Plugins inherit this parser.
  const parseJson = app.getDefaultJsonParser('ignore', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    try {
      checkJsonDepth(body as string);
    } catch (e) {
      done(e as Error, undefined);
      return;
    }
    parseJson(req, body as string, (err, doc) => {
      if (err) return done(err, undefined);
      try {
        refuseReservedKeys(doc, body as string);
      } catch (e) {
        return done(e as Error, undefined);
      }
      done(null, doc);
    });
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setErrorHandler((e, req, reply) => {
    const err = isSluiceError(e)
      ? e
      : (e as { validation?: unknown }).validation
        ? toSluiceError(Object.assign(new Error((e as Error).message), {}), 'BAD_REQUEST', 400)
        : clientOrInternal(e);
    const status = (e as { validation?: unknown }).validation ? 400 : err.httpStatus;
    if (status >= 500) req.log.error({ err: e }, 'request failed');
    const json = err.toJSON();
    if ((e as { validation?: unknown }).validation) json.hint = 'check the request body and query against docs/pipelines.md (REST API)';
    return reply.code(status).send(boundErrorBody(json));
  });
  app.setNotFoundHandler((req, reply) => reply.code(404).send({ code: 'NOT_FOUND', message: `no route ${req.method} ${req.url}` }));

  if (auth) await app.register(authPlugin, { gate: auth, store: runtime.store });
  app.get('/api/health', contract({ ok: { 200: { description: 'The server is up', json: z.object({ ok: z.literal(true) }) } }, errors: {} }), async () => ({
    ok: true as const,
  }));
  executionRoutes(app, ctx);
  approvalRoutes(app, ctx);
  approvalPageRoutes(app, ctx);
  reportRoutes(app, ctx);
  s3EventRoutes(app, ctx);
  const withConsole = auth !== undefined && opts.console !== false;
  const features =
    opts.features !== false || withConsole ? await featureStoreFromConfig(opts.project.root, opts.project.config, { state: runtime.state }) : undefined;
  if (features) app.addHook('onClose', async () => features.close());
  if (features && opts.features !== false) await app.register(featureRoutes, { store: features, prefix: '/api' });
  const registry =
    opts.endpoint !== false || withConsole ? await ModelRegistry.open(opts.project.root, opts.project.paths.stateDir, { state: runtime.state }) : undefined;
  if (registry) app.addHook('onClose', async () => await registry.close());
  const model = defaultModelName(opts.project.config);
  if (registry && opts.endpoint !== false) {
    // Built before serving: auth configured without any token refuses to start rather than open the endpoint.
    const guard = invocationGuard(opts.project.config.endpoint);
    const mounted = await mountEndpoint(app, {
      registry,
      artifacts: runtime.stores.artifacts,
      model,
      sampleRate: opts.project.config.model.sampleRate,
      pollMs: opts.project.config.endpoint.followMs,
      ...(guard ? { guard } : {}),
      ...(auth ? { auth } : {}),
      onLoadError: (e) => runtime.log.error({ err: e }, 'a model version failed to load'),
      onLogDrop: (s) =>
        runtime.log.warn(
          { ...s },
          `the prediction log's queue is full (the disk does not keep up): ${s.dropped} sampled predictions not logged so far (sluice_prediction_log_rows_total)`,
        ),
      onFallback: (note) =>
        note.serving === undefined
          ? runtime.log.error(
              { model, champion: note.champion, reason: note.reason },
              `champion version ${note.champion} of ${model} cannot be loaded and no earlier champion loads: the endpoint answers 503`,
            )
          : runtime.log.warn(
              { model, champion: note.champion, serving: note.serving, reason: note.reason },
              `champion version ${note.champion} of ${model} cannot be loaded: serving the previous champion, version ${note.serving}`,
            ),
    });
    app.decorate('endpoint', mounted);
    app.addHook('onClose', async () => await mounted.close());
  }
  // The console needs to know who is asking: it is mounted only with authentication.
  if (withConsole) {
    await app.register(consoleRoutes, {
      runtime,
      auth,
      ...(registry ? { registry } : {}),
      ...(features ? { features } : {}),
      ...(app.endpoint ? { endpoint: { host: app.endpoint.host, model } } : {}),
    });
  }
  for (const plugin of opts.plugins ?? []) await app.register(plugin, { runtime });
  if (ownRuntime) app.addHook('onClose', async () => runtime.close());
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The prediction endpoint, when the server mounts one (see {@link CreateServerOptions.endpoint}). */
    endpoint?: import('./endpoint/mountEndpoint.js').MountedEndpoint;
  }
}

/**
 * A non-Sluice error thrown while Fastify handled the request: its 4xx (a body that is not JSON,
 * a wrong content type, a body too large) is the client's error, `BAD_REQUEST` with Fastify's
 * message and code; anything else is `INTERNAL`.
 */
function clientOrInternal(e: unknown) {
  const status = (e as { statusCode?: number }).statusCode ?? 500;
  if (status < 400 || status >= 500) return toSluiceError(e, 'INTERNAL', status);
  const fastifyCode = (e as { code?: unknown }).code;
  return new SluiceError('BAD_REQUEST', (e as Error).message ?? String(e), {
    httpStatus: status,
    hint: `fix the request (${typeof fastifyCode === 'string' ? `${fastifyCode}; ` : ''}see docs/pipelines.md, REST API)`,
    cause: e,
  });
}
