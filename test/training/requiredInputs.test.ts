import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { type CliResult, sluice } from '../cli/run.js';
import { smallRows, tempDir, writeCsv } from './fixtures.js';

/**
 * The input schema is what the model uses (issue 12, point 3): the artifact requires only the raw
 * columns the fitted flow and the model read. A column the flow drops (`junk`) and one AutoML
 * leaves out (`code`, an identifier) are ignored when present and not required when absent, by
 * `sluice predict` and by `/invocations`; `/ping` lists exactly the required columns.
 */

const dir = tempDir('sluice-required-');
const HEADER = ['code', 'age', 'color', 'score', 'junk', 'label'];
const data = writeCsv(
  dir,
  'train.csv',
  HEADER,
  smallRows(300, 4).map((r, i) => [`P${String(i).padStart(5, '0')}`, r[0], r[1], r[2], `j${i % 5}`, r[3]]),
);
const flow = join(dir, 'f.flow.yaml');
writeFileSync(flow, 'version: 1\nname: f\ntarget: label\nsteps:\n  - kind: drop_columns\n    columns: [junk]\n');
const out = join(dir, 'out');
const full = writeCsv(
  dir,
  'full.csv',
  ['extra', ...HEADER.slice(0, 5)],
  [
    ['e1', 'X1', 70, 'red', 1.5, 'j1'],
    ['e2', 'X2', 30, 'blue', 2.5, 'j2'],
    ['e3', 'X3', 50, 'green', 0.5, 'j3'],
  ],
);
const lean = writeCsv(
  dir,
  'lean.csv',
  ['color', 'score', 'age'],
  [
    ['red', 1.5, 70],
    ['blue', 2.5, 30],
    ['green', 0.5, 50],
  ],
);

let trained: CliResult;
beforeAll(async () => {
  trained = await sluice(['train', data, '--target', 'label', '--flow', flow, '--out', out, '--time-limit', '60', '--max-candidates', '3', '--seed', '1'], {
    cwd: dir,
  });
}, 120_000);

describe('the input schema is what the model uses (issue 12, point 3)', () => {
  it('the artifact lists only the raw columns the flow and the model read', async () => {
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/left out "code": looks like an identifier/);
    const manifest = JSON.parse(readFileSync(join(out, 'model', 'SLUICE_MODEL.json'), 'utf8'));
    expect(manifest.inputSignature.map((c: { name: string }) => c.name)).toEqual(['age', 'color', 'score']);
  });

  it('sluice predict: skipped, dropped and unknown columns are ignored when present, not required when absent', async () => {
    const a = await sluice(['predict', out, full, '--out', join(dir, 'full-pred.csv')]);
    expect(a.code, a.stderr).toBe(0);
    const b = await sluice(['predict', out, lean, '--out', join(dir, 'lean-pred.csv')]);
    expect(b.code, b.stderr).toBe(0);
    const text = readFileSync(join(dir, 'full-pred.csv'), 'utf8');
    expect(text.trim().split('\n')).toHaveLength(4);
    expect(readFileSync(join(dir, 'lean-pred.csv'), 'utf8')).toBe(text);
    // a column the model reads is still required
    writeCsv(dir, 'noage.csv', ['color', 'score'], [['red', 1]]);
    const c = await sluice(['predict', out, join(dir, 'noage.csv'), '--out', join(dir, 'x.csv')]);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('error[PREDICT_MISSING_COLUMN]');
    expect(c.stderr).toContain('"age"');
  });

  describe('/ping and /invocations', () => {
    let app: FastifyInstance;
    const host = new ModelHost();
    beforeAll(async () => {
      await host.load(() => loadFlowModelPredictor(join(out, 'model'), 'm', '1'));
      app = Fastify();
      await app.register(invocationsRoutes, { host });
      await app.ready();
    });
    afterAll(async () => app?.close());

    it('/ping lists the required columns; records with or without the other columns score the same as the batch', async () => {
      const ping = (await app.inject({ method: 'GET', url: '/ping' })).json();
      expect(ping.inputs.map((c: { name: string }) => c.name)).toEqual(['age', 'color', 'score']);
      const post = (payload: unknown) =>
        app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': 'application/json' }, payload: JSON.stringify(payload) });
      const leanRecords = [
        { age: 70, color: 'red', score: 1.5 },
        { age: 30, color: 'blue', score: 2.5 },
        { age: 50, color: 'green', score: 0.5 },
      ];
      const fullRecords = leanRecords.map((r, i) => ({ ...r, code: `X${i}`, junk: 'j1', extra: 'e' }));
      const a = await post({ instances: leanRecords });
      const b = await post({ instances: fullRecords });
      expect(a.statusCode, a.body).toBe(200);
      expect(b.statusCode, b.body).toBe(200);
      expect(b.json()).toEqual(a.json());
      const batch = readFileSync(join(dir, 'lean-pred.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',')[0]);
      expect(a.json().predictions.map((p: { predicted_label: string }) => p.predicted_label)).toEqual(batch);
      const c = await post({ instances: [{ color: 'red', score: 1 }] });
      expect(JSON.stringify(c.json())).toContain('age');
    });
  });
});
