import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { projectStores } from '../storage/projectStores.js';
import { defaultModelName } from '../pipeline/activities/modelSettings.js';
import type { Project } from '../pipeline/project/loadProject.js';
import { openProjectRegistry } from '../pipeline/project/openProjectRegistry.js';
import { invocationGuard } from './endpoint/invocationGuard.js';
import { mountEndpoint } from './endpoint/mountEndpoint.js';
import { fastifyLimits } from './serverLimits.js';

/**
 * The server of `sluice serve --role endpoint`: only the real-time endpoint (`/invocations`,
 * `/ping`, `/health`, `/version`, `/metrics`) serving the champion of the project's model, with
 * the project's endpoint settings (token auth, rate limit, prediction log sample rate, server
 * limits). No inbox watcher, orchestrator, API or console: several such processes serve one port
 * (see runEndpointCluster.ts), each following promotions and rollbacks from the registry. The
 * registry and the prediction log are closed with the server, the log's queue written first.
 *
 * @example
 * const app = await createEndpointServer(loadProject('.'), logger);
 * await app.listen({ host: '127.0.0.1', port: 7300 });
 */
export async function createEndpointServer(project: Project, logger: FastifyBaseLogger): Promise<FastifyInstance> {
  const limits = project.config.server.limits;
  const app = Fastify({
    loggerInstance: logger,
    // A line per request ("incoming request", "request completed") is written only at level debug
    // or trace (SLUICE_LOG=debug): at thousands of requests a second the two lines cost more CPU
    // than scoring the record. /metrics counts every request; errors are logged at every level.
    logController: new LogController({ disableRequestLogging: !requestLogging(logger) }),
    trustProxy: false,
    bodyLimit: 1_048_576,
    ...fastifyLimits(limits),
  }) as unknown as FastifyInstance;
  app.server.maxConnections = limits.maxConnections;
  // Refuses to start when auth is configured without a token, as the full server does.
  const guard = invocationGuard(project.config.endpoint);
  const registry = await openProjectRegistry(project);
  // A replica on another machine loads the champion from stores.artifacts (checked) when it has no copy.
  const stores = projectStores(project.paths, project.config.stores);
  app.addHook('onClose', async () => stores.close());
  const model = defaultModelName(project.config);
  try {
    const mounted = await mountEndpoint(app, {
      registry,
      artifacts: stores.artifacts,
      model,
      sampleRate: project.config.model.sampleRate,
      // The bound on following a promotion another process or machine made (docs/deployment.md).
      pollMs: project.config.endpoint.followMs,
      registryRoutes: false,
      ...(guard ? { guard } : {}),
      onLoadError: (e) => logger.error({ err: e }, 'a model version failed to load'),
      onFallback: (note) =>
        logger.warn(
          { model, champion: note.champion, serving: note.serving, reason: note.reason },
          `champion version ${note.champion} of ${model} cannot be loaded`,
        ),
      onLogDrop: (s) => logger.warn({ ...s }, `the prediction log's queue is full: ${s.dropped} sampled predictions not logged so far`),
    });
    app.decorate('endpoint', mounted);
    // Each swap is one line: when a replica took a promotion, and what it served before.
    mounted.host.onSwap((p, previous) =>
      logger.info(
        { model, version: p?.version ?? null, previous: previous?.version ?? null, pid: process.pid },
        p ? `serving ${model} version ${p.version}` : `serving no version of ${model}`,
      ),
    );
    app.addHook('onClose', async () => {
      await mounted.close(); // the prediction log's queue is written before the database closes
      await registry.close();
    });
  } catch (e) {
    await registry.close();
    throw e;
  }
  return app;
}

/** Are per-request log lines wanted (the logger's level is debug or trace)? */
function requestLogging(logger: FastifyBaseLogger): boolean {
  const level = logger.level;
  return level === 'debug' || level === 'trace';
}
