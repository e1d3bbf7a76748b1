import type { FastifyInstance } from 'fastify';
import { ModelRegistry } from '../models/ModelRegistry.js';
import { defaultModelName } from '../pipeline/activities/modelSettings.js';
import type { Project } from '../pipeline/project/loadProject.js';
import type { ProjectRuntime } from '../pipeline/project/ProjectRuntime.js';
import { createServer } from '../server/createServer.js';
import { mountEndpoint } from '../server/endpoint/mountEndpoint.js';

/**
 * The server `sluice serve` runs, for the demo: the API, approval pages and, when the server does
 * not mount it itself, the prediction endpoint following the champion of the demo's model.
 */
export async function createDemoServer(project: Project, runtime: ProjectRuntime): Promise<FastifyInstance> {
  const app = await createServer({ project, runtime });
  if (!app.hasRoute({ method: 'POST', url: '/invocations' })) {
    const registry = new ModelRegistry(runtime.db, project.paths.models);
    const endpoint = await mountEndpoint(app, { registry, model: defaultModelName(project.config), pollMs: 500 });
    app.addHook('onClose', async () => endpoint.close());
  }
  return app;
}
