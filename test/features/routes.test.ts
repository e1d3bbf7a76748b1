import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeatureStore } from '../../src/features/FeatureStore.js';
import { featureRoutes } from '../../src/server/routes/features.js';

let store: FeatureStore;
let app: FastifyInstance;

beforeAll(async () => {
  store = await FeatureStore.open({ projectDir: mkdtempSync(join(tmpdir(), 'sluice-fsr-')) });
  await store.createGroup({
    name: 'patients',
    recordIdentifier: 'patient_id',
    eventTime: 'event_time',
    description: 'd',
    features: [
      { name: 'patient_id', type: 'string' },
      { name: 'event_time', type: 'timestamp' },
      { name: 'age', type: 'integral' },
    ],
  });
  app = Fastify();
  await app.register(featureRoutes, { store, prefix: '/api' });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await store.close();
});

describe('feature store HTTP routes', () => {
  it('puts, gets, batch-gets and deletes records', async () => {
    const put = await app.inject({
      method: 'PUT',
      url: '/api/features/groups/patients/records',
      payload: { record: { patient_id: 'p1', event_time: '2026-01-01T00:00:00Z', age: 61 } },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json()).toMatchObject({ group: 'patients', written: true, ignoredAsOlder: false });
    const older = await app.inject({
      method: 'PUT',
      url: '/api/features/groups/patients/records',
      payload: { record: { patient_id: 'p1', event_time: '2025-01-01T00:00:00Z', age: 1 } },
    });
    expect(older.json()).toMatchObject({ written: false, ignoredAsOlder: true });

    const get = await app.inject({ method: 'GET', url: '/api/features/groups/patients/records/p1' });
    expect(get.statusCode).toBe(200);
    expect(get.json()).toMatchObject({ id: 'p1', eventTime: '2026-01-01T00:00:00.000Z', values: { patient_id: 'p1', age: 61 } });

    const batch = await app.inject({
      method: 'POST',
      url: '/api/features/records/batch-get',
      payload: { requests: [{ group: 'patients', ids: ['p1', 'p2'] }] },
    });
    expect(batch.statusCode).toBe(200);
    expect(batch.json().missing).toBe(1);
    expect(batch.json().results.map((r: { id: string; record: unknown }) => [r.id, r.record !== null])).toEqual([
      ['p1', true],
      ['p2', false],
    ]);

    const del = await app.inject({ method: 'DELETE', url: '/api/features/groups/patients/records/p1' });
    expect(del.json()).toEqual({ group: 'patients', id: 'p1', deleted: true });
    const gone = await app.inject({ method: 'GET', url: '/api/features/groups/patients/records/p1' });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('RECORD_NOT_FOUND');
    expect((await app.inject({ method: 'DELETE', url: '/api/features/groups/patients/records/p1' })).statusCode).toBe(404);
  });

  it('serves concurrent puts and gets without mixing records', async () => {
    const ids = Array.from({ length: 25 }, (_, i) => `c${i}`);
    const puts = await Promise.all(
      ids.map((id, i) =>
        app.inject({
          method: 'PUT',
          url: '/api/features/groups/patients/records',
          payload: { record: { patient_id: id, event_time: '2026-02-01T00:00:00Z', age: i } },
        }),
      ),
    );
    expect(puts.every((r) => r.statusCode === 200 && r.json().written === true)).toBe(true);
    const gets = await Promise.all(ids.map((id) => app.inject({ method: 'GET', url: `/api/features/groups/patients/records/${id}` })));
    expect(gets.map((r) => r.json().values.age)).toEqual(ids.map((_, i) => i));
  });

  it('lists and describes groups; unknown groups are clean 404s', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/features/groups' });
    expect(list.json().groups.map((g: { name: string }) => g.name)).toEqual(['patients']);
    const d = await app.inject({ method: 'GET', url: '/api/features/groups/patients' });
    expect(d.json()).toMatchObject({ name: 'patients', recordIdentifier: 'patient_id', offline: { batches: 28 } });
    for (const [method, url, payload] of [
      ['GET', '/api/features/groups/ghost', undefined],
      ['GET', '/api/features/groups/ghost/records/1', undefined],
      ['DELETE', '/api/features/groups/ghost/records/1', undefined],
      ['PUT', '/api/features/groups/ghost/records', { record: { a: 1 } }],
      ['POST', '/api/features/records/batch-get', { requests: [{ group: 'ghost', ids: ['1'] }] }],
    ] as const) {
      const r = await app.inject({ method, url, payload });
      expect([url, r.statusCode, r.json().error.code]).toEqual([url, 404, 'FEATURE_GROUP_NOT_FOUND']);
      expect(r.json().error.hint).toContain('patients');
    }
  });

  it('answers bad bodies with 400 and a hint', async () => {
    const cases = [
      ['POST', '/api/features/records/batch-get', { nope: 1 }, 'REQUEST_INVALID'],
      ['POST', '/api/features/records/batch-get', { requests: [{ group: 'patients', ids: 'p1' }] }, 'REQUEST_INVALID'],
      ['PUT', '/api/features/groups/patients/records', { record: { patient_id: 'p9', event_time: 'tomorrow' } }, 'BATCH_INVALID'],
      ['PUT', '/api/features/groups/patients/records', { record: { patient_id: 'p9', event_time: '2026-01-01', age: 'old' } }, 'BATCH_INVALID'],
      ['PUT', '/api/features/groups/patients/records', { record: { patient_id: 'p9', event_time: '2026-01-01', shoe: 4 } }, 'FEATURE_UNKNOWN'],
      ['PUT', '/api/features/groups/patients/records', { nothing: true }, 'REQUEST_INVALID'],
    ] as const;
    for (const [method, url, payload, code] of cases) {
      const r = await app.inject({ method, url, payload });
      expect([r.statusCode, r.json().error.code]).toEqual([400, code]);
      expect(r.json().error.hint).toBeTruthy();
    }
    const tooMany = await app.inject({
      method: 'POST',
      url: '/api/features/records/batch-get',
      payload: { requests: [{ group: 'patients', ids: Array.from({ length: 1001 }, (_, i) => String(i)) }] },
    });
    expect(tooMany.statusCode).toBe(413);
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/features/records/batch-get',
      headers: { 'content-type': 'application/json' },
      payload: '{bad',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json().error.code).toBe('REQUEST_INVALID');
  });
});
