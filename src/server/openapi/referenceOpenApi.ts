import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initProject } from '../../pipeline/project/initProject.js';
import { loadProject } from '../../pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../pipeline/project/ProjectRuntime.js';
import { createServer } from '../createServer.js';

/**
 * The OpenAPI document of a full server (REST API, approval pages, reports, feature store and
 * the prediction endpoint), built from a throw-away project: what `npm run docs` writes to
 * docs/openapi.json. It is the same document a running server serves at GET /api/openapi.json.
 */
export async function referenceOpenApi(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-openapi-'));
  try {
    initProject(dir);
    const project = loadProject(dir);
    const runtime = new ProjectRuntime(project);
    const app = await createServer({ project, runtime });
    try {
      await app.ready();
      const res = await app.inject({ method: 'GET', url: '/api/openapi.json' });
      return res.json() as Record<string, unknown>;
    } finally {
      await app.close();
      await runtime.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
