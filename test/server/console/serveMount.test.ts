import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initProject } from '../../../src/pipeline/project/initProject.js';
import { loadProject } from '../../../src/pipeline/project/loadProject.js';
import { ProjectRuntime } from '../../../src/pipeline/project/ProjectRuntime.js';
import { hashPassword } from '../../../src/server/auth/password.js';
import { projectAuthGate } from '../../../src/server/auth/projectAuthGate.js';
import { createServer } from '../../../src/server/createServer.js';
import { tempDir } from '../../support/data.js';
import { FAST } from '../../support/fastScrypt.js';

let app: FastifyInstance;
let runtime: ProjectRuntime;
let session: string;

/** The console as `sluice serve` mounts it: createServer with authentication, every default on. */
beforeAll(async () => {
  const dir = join(tempDir('sluice-console-serve-'), 'p');
  initProject(dir);
  const hash = await hashPassword('ana-password', FAST);
  writeFileSync(
    join(dir, 'sluice.yaml'),
    readFileSync(join(dir, 'sluice.yaml'), 'utf8').replace(
      '  - name: Change Me\n    email: approver@example.com\n    role: approver',
      `  - { name: ana, role: approver, passwordHash: "${hash}" }`,
    ),
  );
  const project = loadProject(dir);
  runtime = await ProjectRuntime.open(project);
  const auth = projectAuthGate(project, runtime.db);
  app = await createServer({ project, runtime, auth });
  const login = await auth.login('ana', 'ana-password', {});
  if (!login.ok) throw new Error(login.message);
  session = auth.sessionCookie(login.sessionId).split(';')[0]!;
}, 60_000);

afterAll(async () => {
  await app?.close();
  await runtime?.close();
});

describe('console mounted as sluice serve mounts it', () => {
  it('serves every page beside the API, the endpoint and the login routes', async () => {
    for (const url of ['/', '/executions', '/reports', '/features', '/models', '/endpoint', '/settings', '/audit']) {
      const res = await app.inject({ url, headers: { accept: 'text/html', cookie: session } });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toContain('text/html');
    }
    const endpoint = await app.inject({ url: '/endpoint', headers: { accept: 'text/html', cookie: session } });
    expect(endpoint.body).toContain('<span class="fail">no model loaded</span>');
    expect((await app.inject({ url: '/ping' })).statusCode).toBe(503);
    expect((await app.inject({ url: '/api/models', headers: { cookie: session } })).json()).toEqual({ models: [] });
    expect((await app.inject({ url: '/login' })).statusCode).toBe(200);
    const anonymous = await app.inject({ url: '/models', headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/login?next=%2Fmodels');
  });
});
