import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initProject } from '../../pipeline/project/initProject.js';
import { loadProject } from '../../pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../pipeline/project/ProjectRuntime.js';
import { projectAuthGate } from '../auth/projectAuthGate.js';
import { createServer } from '../createServer.js';

/**
 * The OpenAPI document of a full server (REST API, approval pages, reports, feature store, the
 * prediction endpoint, sign-in), built from a throw-away project: what `npm run docs` writes to
 * docs/openapi.json. It is the same document a running server serves at GET /api/openapi.json.
 */
export async function referenceOpenApi(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-openapi-'));
  try {
    initProject(dir);
    const project = loadProject(dir);
    const runtime = await ProjectRuntime.open(project);
    const app = await createServer({ project, runtime, auth: projectAuthGate(project, runtime.state) });
    try {
      await app.ready();
      if (!app.openApi) throw new Error('createServer no longer mounts the OpenAPI document (mountOpenApi)');
      // Through JSON, as a client receives it.
      return JSON.parse(JSON.stringify(app.openApi())) as Record<string, unknown>;
    } finally {
      await app.close();
      await runtime.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
