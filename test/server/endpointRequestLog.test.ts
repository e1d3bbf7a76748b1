import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { initProject } from '../../src/pipeline/project/initProject.js';
import { loadProject } from '../../src/pipeline/project/loadProject.js';
import { createEndpointServer } from '../../src/server/createEndpointServer.js';
import type { MountedEndpoint } from '../../src/server/endpoint/mountEndpoint.js';

/** A real artifact (gbdt over age, color, score). */
const ARTIFACT = resolve('test/fixtures/artifacts/train-v1/model');
const CSV = 'age,color,score\n20,red,6.99\n51,green,2.4\n';

let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sluice-endpoint-log-'));
  initProject(dir);
  const p = loadProject(dir);
  const registry = await ModelRegistry.open(p.root, p.paths.stateDir);
  await registry.register(ARTIFACT, { name: 'readmission', status: 'approved', by: 'test' });
  await registry.promote('readmission', 1, 'champion', 'test');
  await registry.close();
}, 60_000);

/** The endpoint server of `sluice serve --role endpoint` with a logger at `level` writing JSON lines to memory. */
async function endpoint(level: string): Promise<{ app: FastifyInstance; lines: () => Array<Record<string, unknown>> }> {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const app = await createEndpointServer(loadProject(dir), pino({ level }, sink));
  await (app as unknown as { endpoint: MountedEndpoint }).endpoint.follower.ready;
  const lines = (): Array<Record<string, unknown>> =>
    chunks
      .join('')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { app, lines };
}

const apps: FastifyInstance[] = [];
afterAll(async () => {
  for (const app of apps) await app.close();
});

describe('the endpoint server logs a line per request only at level debug', () => {
  it('at level info: answers, counts the requests in /metrics, and writes no per-request line', async () => {
    const { app, lines } = await endpoint('info');
    apps.push(app);
    for (let i = 0; i < 3; i++) {
      const r = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'text/csv' }, payload: CSV });
      expect(r.statusCode).toBe(200);
    }
    const bad = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: '{"instances": 3}' });
    expect(bad.statusCode).toBe(400);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/sluice_invocations_total\{model="readmission",version="1",status="200"\} 3/);
    expect(metrics.body).toMatch(/sluice_invocations_total\{model="readmission",version="1",status="400"\} 1/);
    expect(lines().filter((l) => l.msg === 'incoming request' || l.msg === 'request completed')).toEqual([]);
  });

  it('at level debug: every request is logged when it arrives and when it is answered', async () => {
    const { app, lines } = await endpoint('debug');
    apps.push(app);
    const r = await app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'text/csv' }, payload: CSV });
    expect(r.statusCode).toBe(200);
    const logged = lines();
    expect(logged.filter((l) => l.msg === 'incoming request')).toHaveLength(1);
    const done = logged.filter((l) => l.msg === 'request completed');
    expect(done).toHaveLength(1);
    expect((done[0]!.res as { statusCode: number }).statusCode).toBe(200);
  });
});
