import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../src/models/ModelRegistry.js';
import { modelsRoutes } from '../../../src/server/routes/models.js';
import { authServer, closeAll } from './support.js';
import { fakeArtifact } from '../../support/fakeArtifact.js';

const apps: FastifyInstance[] = [];
afterEach(() => closeAll(apps));

async function setup() {
  const registry = await ModelRegistry.open(mkdtempSync(join(tmpdir(), 'sluice-auth-models-')));
  for (let i = 1; i <= 2; i++) {
    const art = mkdtempSync(join(tmpdir(), 'sluice-auth-art-'));
    fakeArtifact(`{"i": ${i}}`, art);
    await registry.register(art, { name: 'readmission', metrics: { auc: 0.6 + i / 100 }, by: 'pipeline' });
  }
  const s = await authServer({ plugins: (gate) => [async (app) => app.register(modelsRoutes, { registry, auth: gate })] });
  apps.push(s.app);
  s.app.addHook('onClose', async () => await registry.close());
  return { ...s, registry };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('model registry routes with authentication', () => {
  it('viewers and approvers read but cannot promote; admins promote and roll back, in their own name, audited', async () => {
    const s = await setup();
    const vic = (await s.gate.tokens.create('Vic')).token;
    const ana = (await s.gate.tokens.create('Ana')).token;
    const root = (await s.gate.tokens.create('Root')).token;
    expect((await s.app.inject({ url: '/models' })).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/models/readmission', headers: bearer(vic) })).statusCode).toBe(200);

    for (const t of [vic, ana]) {
      const r = await s.app.inject({ method: 'POST', url: '/models/readmission/versions/1/status', headers: bearer(t), payload: { status: 'approved' } });
      expect(r.statusCode).toBe(403);
      expect(r.json().error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('needs the admin role') });
    }
    expect((await s.registry.get('readmission', 1)).status).toBe('pending');

    for (const v of [1, 2]) {
      const ok = await s.app.inject({
        method: 'POST',
        url: `/models/readmission/versions/${v}/status`,
        headers: bearer(root),
        payload: { status: 'approved', comment: 'holdout fine' },
      });
      expect(ok.statusCode, ok.body).toBe(200);
    }
    const denied = await s.app.inject({
      method: 'POST',
      url: '/models/readmission/promote',
      headers: { ...bearer(ana), 'x-sluice-user': 'Root' },
      payload: { version: 1, by: 'Root' },
    });
    expect(denied.statusCode).toBe(403);
    expect(await s.registry.champion('readmission')).toBeUndefined();

    // The header and body "by" cannot speak for someone else: the change is in the caller's name.
    const p1 = await s.app.inject({
      method: 'POST',
      url: '/models/readmission/promote',
      headers: { ...bearer(root), 'x-sluice-user': 'Mallory' },
      payload: { version: 1 },
    });
    expect(p1.statusCode, p1.body).toBe(200);
    expect((await s.registry.history('readmission')).at(-1)).toMatchObject({ kind: 'alias', by: 'Root' });
    expect(
      (await s.app.inject({ method: 'POST', url: '/models/readmission/promote', headers: bearer(root), payload: { version: 2, comment: 'better auc' } }))
        .statusCode,
    ).toBe(200);
    const rb = await s.app.inject({ method: 'POST', url: '/models/readmission/rollback', headers: bearer(root), payload: { comment: 'p99 regression' } });
    expect(rb.statusCode).toBe(200);
    expect((await s.registry.champion('readmission'))!.version).toBe(1);

    expect((await s.gate.auditLog({ action: 'model.' })).map((e) => [e.action, e.actor, e.target, e.detail])).toEqual([
      ['model.rollback', 'Root', 'model:readmission@1', 'p99 regression'],
      ['model.promote', 'Root', 'model:readmission@2', 'alias champion: better auc'],
      ['model.promote', 'Root', 'model:readmission@1', 'alias champion'],
      ['model.status', 'Root', 'model:readmission@2', 'approved: holdout fine'],
      ['model.status', 'Root', 'model:readmission@1', 'approved: holdout fine'],
    ]);
  });

  it('a signed-in admin changes models only with the CSRF token', async () => {
    const s = await setup();
    const root = await s.signIn('Root');
    const approve = (headers: Record<string, string>) =>
      s.app.inject({
        method: 'POST',
        url: '/models/readmission/versions/2/status',
        headers: { cookie: root.cookie, ...headers },
        payload: { status: 'approved' },
      });
    const missing = await approve({});
    expect(missing.statusCode).toBe(403);
    expect(missing.json().error.code).toBe('CSRF_INVALID');
    expect((await s.registry.get('readmission', 2)).status).toBe('pending');
    expect((await approve({ 'x-csrf-token': root.csrf })).statusCode).toBe(200);
    expect(await s.registry.get('readmission', 2)).toMatchObject({ status: 'approved', statusBy: 'Root' });
    const del = await s.app.inject({ method: 'DELETE', url: '/models/readmission/versions/1', headers: { cookie: root.cookie, 'x-csrf-token': root.csrf } });
    expect(del.statusCode).toBe(204);
    expect(await s.gate.auditLog({ action: 'model.delete' })).toMatchObject([{ actor: 'Root', target: 'model:readmission@1' }]);
  });

  it('the server mounts the registry under /api/models behind the gate: only admins change, audited', async () => {
    const s = await authServer();
    apps.push(s.app);
    const registry = await ModelRegistry.open(s.dir);
    s.app.addHook('onClose', async () => await registry.close());
    const art = mkdtempSync(join(tmpdir(), 'sluice-auth-art-'));
    fakeArtifact('{}', art);
    const v = await registry.register(art, { name: 'readmission', by: 'pipeline' });
    await registry.setStatus('readmission', v.version, 'approved', 'pipeline');
    const vic = (await s.gate.tokens.create('Vic')).token;
    const ana = (await s.gate.tokens.create('Ana')).token;
    const root = (await s.gate.tokens.create('Root')).token;
    expect((await s.app.inject({ url: '/api/models' })).statusCode).toBe(401);
    expect((await s.app.inject({ url: '/api/models', headers: bearer(vic) })).json().models).toHaveLength(1);
    for (const t of [vic, ana]) {
      const r = await s.app.inject({ method: 'POST', url: '/api/models/readmission/promote', headers: bearer(t), payload: { version: v.version } });
      expect(r.statusCode).toBe(403);
      // The registry's own error shape, `{error: {...}}`, also for refusals.
      expect(r.json().error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('admin role') });
    }
    expect(await registry.champion('readmission')).toBeUndefined();
    const ok = await s.app.inject({
      method: 'POST',
      url: '/api/models/readmission/promote',
      headers: bearer(root),
      payload: { version: v.version, comment: 'go' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect((await registry.champion('readmission'))!.version).toBe(v.version);
    expect(await s.gate.auditLog({ action: 'model.promote' })).toMatchObject([
      { actor: 'Root', target: `model:readmission@${v.version}`, detail: 'alias champion: go' },
    ]);
  });
});
