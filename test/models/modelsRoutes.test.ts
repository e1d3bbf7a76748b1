import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { modelsRoutes } from '../../src/server/routes/models.js';
import { fakeArtifact } from '../support/fakeArtifact.js';

let registry: ModelRegistry;
let app: FastifyInstance;

beforeAll(async () => {
  registry = await ModelRegistry.open(mkdtempSync(join(tmpdir(), 'sluice-routes-')));
  for (let i = 1; i <= 3; i++) {
    const art = mkdtempSync(join(tmpdir(), 'sluice-routes-art-'));
    fakeArtifact(`{"i": ${i}}`, art);
    await registry.register(art, { name: 'readmission', metrics: { auc: 0.6 + i / 100 }, by: 'pipeline' });
  }
  app = Fastify();
  await app.register(modelsRoutes, { registry });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await registry.close();
});

const as = (user: string) => ({ 'x-sluice-user': user });

describe('models routes', () => {
  it('lists and shows models and versions', async () => {
    const list = (await app.inject({ url: '/models' })).json();
    expect(list.models).toEqual([{ name: 'readmission', versions: 3, latestVersion: 3, aliases: {} }]);
    const model = (await app.inject({ url: '/models/readmission' })).json();
    expect(model.versions.map((v: { version: number }) => v.version)).toEqual([3, 2, 1]);
    const v = (await app.inject({ url: '/models/readmission/versions/latest' })).json();
    expect(v).toMatchObject({ version: 3, status: 'pending', metrics: { auc: 0.63 } });
    expect(v.history.map((h: { kind: string }) => h.kind)).toEqual(['registered']);
  });

  it('approves, promotes, rolls back and records who', async () => {
    for (const version of [1, 2]) {
      const r = await app.inject({
        method: 'POST',
        url: `/models/readmission/versions/${version}/status`,
        headers: as('ana'),
        payload: { status: 'approved', comment: 'ok' },
      });
      expect(r.statusCode).toBe(200);
      expect(r.json()).toMatchObject({ status: 'approved', statusBy: 'ana', statusComment: 'ok' });
    }
    expect((await app.inject({ method: 'POST', url: '/models/readmission/promote', headers: as('ana'), payload: { version: 1 } })).json().aliases).toEqual([
      'champion',
    ]);
    expect((await app.inject({ method: 'POST', url: '/models/readmission/promote', payload: { version: 2, by: 'bob' } })).statusCode).toBe(200);
    const rb = await app.inject({ method: 'POST', url: '/models/readmission/rollback', headers: as('carl'), payload: { comment: 'p99 regression' } });
    expect(rb.json().version).toBe(1);
    const history = (await app.inject({ url: '/models/readmission/history' })).json().history;
    expect(history.at(-1)).toMatchObject({ kind: 'rollback', from: '2', to: '1', by: 'carl', comment: 'p99 regression' });
    const tags = await app.inject({
      method: 'POST',
      url: '/models/readmission/versions/champion/tags',
      headers: as('ana'),
      payload: { tags: { team: 'care' } },
    });
    expect(tags.json().tags).toEqual({ team: 'care' });
  });

  it('deletes a version and its artifacts, but not the champion', async () => {
    const v3 = await registry.get('readmission', 3);
    expect((await app.inject({ method: 'DELETE', url: '/models/readmission/versions/3', headers: as('ana') })).statusCode).toBe(204);
    expect(existsSync(v3.artifactPath)).toBe(false);
    const r = await app.inject({ method: 'DELETE', url: '/models/readmission/versions/champion', headers: as('ana') });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.code).toBe('MODEL_CHAMPION_DELETE');
  });

  it('answers bad requests with a JSON error', async () => {
    const cases: Array<[InjectOptions, number, string]> = [
      [{ url: '/models/nope' }, 404, 'MODEL_NOT_FOUND'],
      [{ url: '/models/readmission/versions/9' }, 404, 'MODEL_NOT_FOUND'],
      [{ method: 'POST', url: '/models/readmission/promote', payload: { version: 2 } }, 400, 'MODEL_WHO_MISSING'],
      [{ method: 'POST', url: '/models/readmission/promote', headers: as('a'), payload: {} }, 400, 'MODEL_BAD_REQUEST'],
      [{ method: 'POST', url: '/models/readmission/promote', headers: as('a'), payload: { version: 2, alias: 'bad alias' } }, 400, 'MODEL_BAD_NAME'],
      [{ method: 'POST', url: '/models/readmission/versions/1/status', headers: as('a'), payload: { status: 'ok' } }, 400, 'MODEL_BAD_STATUS'],
      [{ method: 'POST', url: '/models/readmission/versions/1/status', headers: as('a'), payload: { status: 'rejected' } }, 409, 'MODEL_CHAMPION_REJECT'],
      [{ method: 'POST', url: '/models/readmission/versions/1/tags', headers: as('a'), payload: { tags: [1] } }, 400, 'MODEL_BAD_REQUEST'],
      [
        { method: 'POST', url: '/models/readmission/promote', headers: { ...as('a'), 'content-type': 'application/json' }, payload: '{"version": ' },
        400,
        'MODEL_BAD_REQUEST',
      ],
      [{ method: 'DELETE', url: '/models/readmission/aliases/staging', headers: as('a') }, 404, 'MODEL_NOT_FOUND'],
    ];
    for (const [req, status, code] of cases) {
      const r = await app.inject(req);
      expect(r.statusCode, `${JSON.stringify(req)} -> ${r.body}`).toBe(status);
      expect(r.json().error.code).toBe(code);
    }
  });
});
