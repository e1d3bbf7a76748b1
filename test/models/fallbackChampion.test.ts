import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import type { FallbackNote } from '../../src/server/endpoint/ModelHost.js';
import { mountEndpoint } from '../../src/server/endpoint/mountEndpoint.js';
import { ARTIFACT_FILES } from '../../src/artifact/artifactFiles.js';
import { trainDiabetesModel, type TrainedArtifact } from './diabetesModel.js';

let trained: TrainedArtifact;
beforeAll(async () => {
  trained = await trainDiabetesModel({ rows: 3000, maxIter: 10 });
}, 120_000);

const RECORD =
  'race,gender,age,admission_type_id,discharge_disposition_id,admission_source_id,time_in_hospital,num_lab_procedures,num_procedures,num_medications,number_outpatient,number_emergency,number_inpatient,number_diagnoses,max_glu_serum,A1Cresult,metformin,insulin,change,diabetesMed';

/** A registry with `n` approved versions of the real artifact; champion history 1 -> ... -> n. */
async function registry(n: number): Promise<{ reg: ModelRegistry; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-fallback-'));
  const reg = await ModelRegistry.open(dir);
  for (let i = 1; i <= n; i++) {
    const v = await reg.register(trained.dir, { name: 'readmission', by: 'test' });
    await reg.setStatus('readmission', v.version, 'approved', 'ana');
    await reg.promote('readmission', v.version, 'champion', 'ana');
  }
  return { reg, dir };
}

/** Corrupts a version's artifact as a bad disk or a half-copied restore would. */
async function corrupt(reg: ModelRegistry, version: number): Promise<void> {
  writeFileSync(join((await reg.get('readmission', version)).artifactPath, ARTIFACT_FILES.model), '{"kind": "gbdt", "trees": [');
}

async function serve(reg: ModelRegistry, notes: FallbackNote[]) {
  const app = Fastify();
  const mounted = await mountEndpoint(app, { registry: reg, model: 'readmission', pollMs: 0, onFallback: (n) => notes.push(n), onLoadError: () => {} });
  await app.ready();
  await mounted.follower.ready;
  return { app, mounted };
}

describe('fallback champion (issue 13, point 11)', () => {
  it('at start, a champion whose artifact is corrupt falls back to the previous champion, and /ping says so', async () => {
    const { reg } = await registry(3);
    await corrupt(reg, 3);
    const notes: FallbackNote[] = [];
    const { app, mounted } = await serve(reg, notes);
    try {
      const ping = await app.inject({ url: '/ping' });
      expect(ping.statusCode).toBe(200);
      expect(ping.json()).toMatchObject({ status: 'fallback', model_version: '2', fallback: { champion_version: '3' } });
      expect(ping.json().fallback.reason).toMatch(/model\.json|JSON/);
      expect(notes).toEqual([expect.objectContaining({ champion: '3', serving: '2' })]);
      // Predictions are served, labelled with the version that computed them.
      const csv = await app.inject({
        method: 'POST',
        url: '/invocations',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify({ dataframe_records: [Object.fromEntries(RECORD.split(',').map((c) => [c, null]))] }),
      });
      expect(csv.headers['x-sluice-model-version']).toBe('2');
      // The registry still says 3 is champion: nothing was changed by the fallback.
      expect((await reg.champion('readmission'))!.version).toBe(3);
    } finally {
      mounted.close();
      await app.close();
      await reg.close();
    }
  }, 120_000);

  it('skips a previous champion that does not load either; 503 only when none loads', async () => {
    const { reg } = await registry(3);
    await corrupt(reg, 3);
    await corrupt(reg, 2);
    const notes: FallbackNote[] = [];
    const one = await serve(reg, notes);
    expect((await one.app.inject({ url: '/ping' })).json()).toMatchObject({ status: 'fallback', model_version: '1', fallback: { champion_version: '3' } });
    one.mounted.close();
    await one.app.close();
    await corrupt(reg, 1);
    const none = await serve(reg, notes);
    try {
      const ping = await none.app.inject({ url: '/ping' });
      expect(ping.statusCode).toBe(503);
      expect(ping.json()).toMatchObject({ status: 'no model loaded', fallback: { champion_version: '3' } });
      expect(notes.at(-1)).toMatchObject({ champion: '3', serving: undefined });
    } finally {
      none.mounted.close();
      await none.app.close();
      await reg.close();
    }
  }, 120_000);

  it('while serving, a newly promoted champion that does not load leaves the previous one serving, and /ping says so until it is fixed', async () => {
    const { reg } = await registry(1);
    const notes: FallbackNote[] = [];
    const { app, mounted } = await serve(reg, notes);
    try {
      expect((await app.inject({ url: '/ping' })).json().status).toBe('ok');
      const v2 = await reg.register(trained.dir, { name: 'readmission', by: 'test' });
      await reg.setStatus('readmission', v2.version, 'approved', 'ana');
      await corrupt(reg, 2);
      await reg.promote('readmission', 2, 'champion', 'ana');
      await mounted.follower.sync();
      expect((await app.inject({ url: '/ping' })).json()).toMatchObject({ status: 'fallback', model_version: '1', fallback: { champion_version: '2' } });
      // Promoting a version that loads clears the note.
      const v3 = await reg.register(trained.dir, { name: 'readmission', by: 'test' });
      await reg.setStatus('readmission', v3.version, 'approved', 'ana');
      await reg.promote('readmission', 3, 'champion', 'ana');
      await mounted.follower.sync();
      const ping = (await app.inject({ url: '/ping' })).json();
      expect(ping).toMatchObject({ status: 'ok', model_version: '3' });
      expect(ping.fallback).toBeUndefined();
    } finally {
      mounted.close();
      await app.close();
      await reg.close();
    }
  }, 120_000);
});
