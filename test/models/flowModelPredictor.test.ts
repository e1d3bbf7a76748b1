import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { planSql } from '../../src/flow/planSql.js';
import { ModelRegistry } from '../../src/models/ModelRegistry.js';
import { followChampion, type ChampionFollower } from '../../src/server/endpoint/followChampion.js';
import { loadFlowModelPredictor, MODEL_FILE } from '../../src/server/endpoint/FlowModelPredictor.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { rowsToFrame } from '../../src/server/endpoint/rowsToFrame.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { DIABETES_CSV, trainDiabetesModel, type TrainedArtifact } from './diabetesModel.js';

let trained: TrainedArtifact;
let registry: ModelRegistry;
let app: FastifyInstance;
let follower: ChampionFollower;
let base: string;
const host = new ModelHost();
const N = 200;
const lines = readFileSync(DIABETES_CSV, 'utf8').split('\n');
const sampleCsv = lines.slice(0, N + 1).join('\n') + '\n';

beforeAll(async () => {
  trained = await trainDiabetesModel({ rows: 10_000, maxIter: 30 });
  registry = ModelRegistry.open(mkdtempSync(join(tmpdir(), 'sluice-real-')));
  await registry.register(trained.dir, { name: 'readmission', status: 'approved', metrics: { auc: 0.6 }, lineage: { fittedFlow: 'fitted-flow.json', seed: 7 } });
  registry.promote('readmission', 1, 'champion', 'ana');
  follower = followChampion(registry, 'readmission', host, (v) => loadFlowModelPredictor(v.artifactPath, v.name, String(v.version)), {
    pollMs: 0,
    onError: (e) => {
      throw e;
    },
  });
  await follower.ready;
  if (!host.current) throw new Error('the champion did not load');
  app = Fastify();
  await app.register(invocationsRoutes, { host });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${addr.port}`;
}, 120_000);

afterAll(async () => {
  follower?.stop();
  await app?.close();
  registry?.close();
});

describe('the real predictor: fitted flow + trained model behind /invocations', () => {
  it('serves raw records and agrees with the batch (SQL) path to 1e-9', async () => {
    expect(host.current?.inputs.map((c) => c.name)).not.toContain('readmitted');
    const res = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: sampleCsv });
    const body = (await res.json()) as { predictions: Array<{ predicted_label: string; probabilities: number[]; labels: string[] }> };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get('x-sluice-model-version')).toBe('1');
    expect(body.predictions).toHaveLength(N);
    expect(body.predictions[0]!.labels).toEqual(['0', '1']);

    // The same rows through the fitted flow's SQL (DuckDB) and the model, as batch scoring does.
    const engine = await Engine.open();
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'sluice-real-csv-')), 'sample.csv');
      writeFileSync(file, sampleCsv);
      const info = await readTable(engine, file, { name: 'raw' });
      const rows = await engine.query(`${planSql(trained.fitted, 'raw', info.columns, 'serve')}`);
      expect(rows).toHaveLength(N);
      const proba = trained.model.predictProba(rowsToFrame(rows, trained.model.schema));
      for (let i = 0; i < N; i++) {
        expect(body.predictions[i]!.probabilities[0]).toBeCloseTo(proba[i * 2]!, 9);
        expect(body.predictions[i]!.probabilities[1]).toBeCloseTo(proba[i * 2 + 1]!, 9);
      }
    } finally {
      engine.close();
    }
    // The model has learned something: not every record gets the same probabilities.
    expect(new Set(body.predictions.map((p) => p.probabilities[1]!.toFixed(6))).size).toBeGreaterThan(20);
  });

  it('accepts the same records as JSON and as headerless CSV, with identical answers', async () => {
    const header = lines[0]!.split(',');
    const raw = lines.slice(1, 6).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v])));
    const a = await (await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: raw }) })).json();
    const b = await (await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: lines.slice(0, 6).join('\n') })).json();
    const inputs = host.current!.inputs.map((c) => c.name);
    const headerless = raw.map((r) => inputs.map((c) => r[c]).join(',')).join('\n');
    const c = await (await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: headerless })).json();
    expect(a).toEqual(b);
    expect(c).toEqual(b);
  });

  it('scores a batch larger than one chunk exactly as the same records in small requests', async () => {
    const post = async (from: number, to: number): Promise<unknown[]> => {
      const res = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: [lines[0], ...lines.slice(from + 1, to + 1)].join('\n') });
      expect(res.status).toBe(200);
      return ((await res.json()) as { predictions: unknown[] }).predictions;
    };
    const big = await post(0, 2500);
    const parts = [...(await post(0, 900)), ...(await post(900, 1700)), ...(await post(1700, 2500))];
    expect(big).toHaveLength(2500);
    expect(big).toEqual(parts);
  });

  it('names the record and field of a bad value', async () => {
    const rows = lines.slice(0, 4);
    rows[3] = rows[3]!.replace(/^([^,]*,[^,]*,[^,]*,)[^,]*/, '$1old');
    const res = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: rows.join('\n') });
    expect(res.status).toBe(400);
    const err = ((await res.json()) as { error: { code: string; location: { record: number; field: string } } }).error;
    expect(err.code).toBe('INVOCATION_BAD_TYPE');
    expect(err.location).toEqual({ record: 2, field: 'age' });
  });

  it('refuses an artifact that is not servable, with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bad-art-'));
    await expect(loadFlowModelPredictor(dir, 'm', '1')).rejects.toThrow(/has no model.json/);
    writeFileSync(join(dir, MODEL_FILE), '{"format": "sluice-model", "learner": "svm"}');
    writeFileSync(join(dir, 'fitted-flow.json'), readFileSync(join(trained.dir, 'fitted-flow.json')));
    await expect(loadFlowModelPredictor(dir, 'm', '1')).rejects.toThrow(/cannot load "svm"/);
  });
});
