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
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { ARTIFACT_FILES } from '../../src/artifact/artifactFiles.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { rowsToFrame } from '../../src/server/endpoint/rowsToFrame.js';
import { predictFile } from '../../src/training/predictFile.js';
import { mountEndpoint } from '../../src/server/endpoint/mountEndpoint.js';
import { pruneForServing } from '../../src/server/endpoint/pruneForServing.js';
import { SluiceError } from '../../src/core/errors.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { DIABETES_CSV, trainDiabetesModel, type TrainedArtifact } from './diabetesModel.js';
import { runCliInProcess } from '../support/runCliInProcess.js';

let trained: TrainedArtifact;
let project: string;
let registry: ModelRegistry;
let app: FastifyInstance;
let follower: ChampionFollower;
let base: string;
const host = new ModelHost();
/** A stand-in for the online store: the flow's output rows by record id, as ingestion keeps them. */
const online = new Map<string, Record<string, unknown>>();
const N = 200;
const lines = readFileSync(DIABETES_CSV, 'utf8').split('\n');
const sampleCsv = lines.slice(0, N + 1).join('\n') + '\n';

beforeAll(async () => {
  trained = await trainDiabetesModel({ rows: 10_000, maxIter: 30 });
  project = mkdtempSync(join(tmpdir(), 'sluice-real-'));
  registry = await ModelRegistry.open(project);
  await registry.register(trained.dir, {
    name: 'readmission',
    status: 'approved',
    metrics: { auc: 0.6 },
    lineage: { fittedFlow: 'fitted-flow.json', seed: 7 },
  });
  await registry.promote('readmission', 1, 'champion', 'ana');
  follower = followChampion(registry, 'readmission', host, (v) => loadFlowModelPredictor(v.artifactPath, v.name, String(v.version)), {
    pollMs: 0,
    onError: (e) => {
      throw e;
    },
  });
  await follower.ready;
  if (!host.current) throw new Error('the champion did not load');
  app = Fastify();
  await app.register(invocationsRoutes, { host, featureLookup: async (ids) => ids.map((id) => online.get(id) ?? null) });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (addr === null || typeof addr === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${addr.port}`;
}, 120_000);

afterAll(async () => {
  follower?.stop();
  await app?.close();
  await registry?.close();
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

  it('serves without the add-only steps the model does not read (record id, event time)', () => {
    const kinds = (f: { steps: Array<{ kind: string }> }) => f.steps.map((x) => x.kind);
    const features = trained.model.schema.map((x) => x.name);
    expect(kinds(trained.fitted)).toContain('record_id');
    const pruned = pruneForServing(trained.fitted, features);
    expect(kinds(pruned)).not.toContain('record_id');
    expect(kinds(pruned)).not.toContain('event_time');
    expect(pruned.steps).toHaveLength(trained.fitted.steps.length - 2);
    expect(pruned.output.map((c) => c.name)).not.toContain('record_id');
    // A model that reads the record id keeps the step that makes it.
    expect(kinds(pruneForServing(trained.fitted, [...features, 'record_id']))).toContain('record_id');
  });

  it('accepts the same records as JSON and as headerless CSV, with identical answers', async () => {
    const header = lines[0]!.split(',');
    const raw = lines.slice(1, 6).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v])));
    const a = await (
      await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataframe_records: raw }) })
    ).json();
    const b = await (
      await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: lines.slice(0, 6).join('\n') })
    ).json();
    // The column order of a headerless row, as a client learns it from GET /ping.
    const inputs = ((await (await fetch(`${base}/ping`)).json()) as { inputs: Array<{ name: string }> }).inputs.map((c) => c.name);
    expect(inputs).toEqual(host.current!.inputs.map((c) => c.name));
    const headerless = raw.map((r) => inputs.map((c) => r[c]).join(',')).join('\n');
    const c = await (await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: headerless })).json();
    expect(a).toEqual(b);
    expect(c).toEqual(b);
  });

  it('scores a batch larger than one chunk exactly as the same records in small requests', async () => {
    const post = async (from: number, to: number): Promise<unknown[]> => {
      const res = await fetch(`${base}/invocations`, {
        method: 'POST',
        headers: { 'content-type': 'text/csv' },
        body: [lines[0], ...lines.slice(from + 1, to + 1)].join('\n'),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { predictions: unknown[] }).predictions;
    };
    const big = await post(0, 2500);
    const parts = [...(await post(0, 900)), ...(await post(900, 1700)), ...(await post(1700, 2500))];
    expect(big).toHaveLength(2500);
    expect(big).toEqual(parts);
  });

  it('reads a bad value as missing, scores the record and names the record and field in a warning', async () => {
    const rows = lines.slice(0, 4);
    rows[3] = rows[3]!.replace(/^([^,]*,[^,]*,[^,]*,)[^,]*/, '$1old');
    const res = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: rows.join('\n') });
    expect(res.status).toBe(200);
    const p = ((await res.json()) as { predictions: Array<{ predicted_label: string; warnings?: Array<{ field: string; message: string }> }> }).predictions;
    expect(p).toHaveLength(3);
    expect(p[2]!.predicted_label).toMatch(/^[01]$/);
    expect(p[2]!.warnings![0]!.field).toBe('age');
    expect(p[2]!.warnings![0]!.message).toContain('record 2');
  });

  it('refuses an artifact that is not servable, with a clear error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-bad-art-'));
    await expect(loadFlowModelPredictor(dir, 'm', '1')).rejects.toMatchObject({ code: 'ARTIFACT_NOT_FOUND', message: expect.stringMatching(/holds no model/) });
    // A folder without a manifest (saved before manifests existed) still loads, unverified: its files are judged as read.
    writeFileSync(join(dir, ARTIFACT_FILES.model), '{"format": "sluice-model", "formatVersion": 1, "learner": "svm"}');
    writeFileSync(join(dir, ARTIFACT_FILES.fittedFlow), readFileSync(join(trained.dir, ARTIFACT_FILES.fittedFlow)));
    await expect(loadFlowModelPredictor(dir, 'm', '1')).rejects.toThrow(/^model m version 1: .*model\.json: unknown learner "svm"/);
    writeFileSync(join(dir, ARTIFACT_FILES.model), '{"format": "sluice-mod');
    const err = (await loadFlowModelPredictor(dir, 'm', '1').catch((e: unknown) => e)) as SluiceError;
    expect(err).toBeInstanceOf(SluiceError);
    expect(err.code).toBe('ARTIFACT_INVALID');
    expect(err.location?.file).toBe(join(dir, ARTIFACT_FILES.model));
    expect(err.httpStatus).toBe(500);
  });

  it('scores a file in batch (sluice models predict) with the same numbers as the endpoint', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-batch-'));
    const input = join(dir, 'in.csv');
    // Row 3 (line 4) has an age the model cannot read: it is read as missing, noted, and scored.
    const rows = lines.slice(0, 51);
    rows[3] = rows[3]!.replace(/^([^,]*,[^,]*,[^,]*,)[^,]*/, '$1old');
    writeFileSync(input, rows.join('\n') + '\n');
    const notes = join(dir, 'notes.csv');
    const trainedDir = trained.dir;
    const ageType = trained.fitted.input.find((c) => c.name === 'age')!.type;
    const { code, stdout, stderr } = await runCliInProcess([
      'models',
      'predict',
      'readmission',
      '--input',
      input,
      '--output',
      join(dir, 'out.csv'),
      '--errors',
      notes,
      '--project',
      project,
      '--json',
    ]);
    expect(code, stderr).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ model: 'readmission', version: 1, rows: 50, scored: 50, failed: 0, notes: 1, labels: ['0', '1'] });
    expect(readFileSync(notes, 'utf8')).toBe(
      'line,column,value,action,detail\n4,age,old,read as missing,not a string\n'.replace(
        'not a string',
        `not ${ageType === 'integer' ? 'an' : 'a'} ${ageType}`,
      ),
    );
    const engine = await Engine.open();
    try {
      await readTable(engine, join(dir, 'out.csv'), { name: 'out' });
      const out = await engine.query('SELECT * FROM out');
      expect(out).toHaveLength(50);
      expect(Object.keys(out[0]!).slice(-4)).toEqual(['predicted_label', 'probability_0', 'probability_1', 'prediction_error']);
      expect(out[0]!.readmitted).toBe('no'); // the input's columns are kept, in order
      // the endpoint reads the same value as missing too, with a warning on that record
      const res = await fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: rows.join('\n') });
      const served = ((await res.json()) as { predictions: Array<{ predicted_label: string; probabilities: number[]; warnings?: unknown[] }> }).predictions;
      expect(served[2]!.warnings).toEqual([{ field: 'age', value: 'old', action: 'read as missing', message: expect.stringContaining('"age"') }]);
      expect(served[1]!.warnings).toBeUndefined();
      expect(out.every((r) => r.prediction_error === null)).toBe(true);
      out.forEach((r, i) => {
        expect(String(r.predicted_label)).toBe(served[i]!.predicted_label);
        expect(r.probability_1).toBeCloseTo(served[i]!.probabilities[1]!, 9);
      });
      // --strict refuses the file at that line
      const strict = await predictFile(trainedDir, input, { strict: true }).catch((e: unknown) => e);
      expect((strict as SluiceError).code).toBe('PREDICT_BAD_TYPE');
      expect((strict as SluiceError).location).toMatchObject({ line: 4, field: 'age' });
      // A file without a needed column is refused up front, naming it.
      writeFileSync(join(dir, 'bad.csv'), 'race,gender\ncaucasian,female\n');
      const err = await predictFile(trainedDir, join(dir, 'bad.csv'), { out: join(dir, 'bad-out.csv'), layout: 'appended' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SluiceError);
      expect((err as SluiceError).code).toBe('PREDICT_MISSING_COLUMN');
    } finally {
      engine.close();
    }
  });

  it('predicts from the online store by record id, as from the raw records', async () => {
    const engine = await Engine.open();
    const sample = lines.slice(0, 21);
    let ids: string[];
    try {
      const file = join(mkdtempSync(join(tmpdir(), 'sluice-ids-')), 'sample.csv');
      writeFileSync(file, sample.join('\n') + '\n');
      const info = await readTable(engine, file, { name: 'raw_ids' });
      const rows = await engine.query(planSql(trained.fitted, 'raw_ids', info.columns, 'serve'));
      ids = rows.map((r) => String(r.record_id));
      rows.forEach((r) => {
        online.set(String(r.record_id), r);
      });
    } finally {
      engine.close();
    }
    const post = async (body: string, type = 'application/json') => fetch(`${base}/invocations`, { method: 'POST', headers: { 'content-type': type }, body });
    const byId = await post(JSON.stringify({ record_ids: [ids[3], ids[0], ids[7]] }));
    expect(byId.status).toBe(200);
    const raw = (await (await post(sample.join('\n'), 'text/csv')).json()) as { predictions: Array<{ probabilities: number[] }> };
    const got = ((await byId.json()) as { predictions: Array<{ probabilities: number[] }> }).predictions;
    [3, 0, 7].forEach((k, i) => {
      expect(got[i]!.probabilities[1]).toBeCloseTo(raw.predictions[k]!.probabilities[1]!, 9);
    });
    const missing = await post(JSON.stringify({ record_ids: [ids[0], 'no-such-id'] }));
    expect(missing.status).toBe(404);
    const err = ((await missing.json()) as { error: { code: string; location: unknown; message: string } }).error;
    expect(err.code).toBe('INVOCATION_UNKNOWN_RECORD_ID');
    expect(err.location).toEqual({ record: 1, field: 'record_ids' });
    expect(err.message).toContain('no-such-id');
    expect((await post(JSON.stringify({ record_ids: [{}] }))).status).toBe(400);
  });

  for (const learner of ['logistic', 'forest'] as const) {
    it(`serves a ${learner} model the same way, agreeing with the batch path`, async () => {
      const t = await trainDiabetesModel({ rows: 5000, learner });
      const p = await loadFlowModelPredictor(t.dir, 'readmission', learner);
      const engine = await Engine.open();
      try {
        const file = join(mkdtempSync(join(tmpdir(), `sluice-${learner}-`)), 'sample.csv');
        writeFileSync(file, lines.slice(0, 51).join('\n') + '\n');
        const info = await readTable(engine, file, { name: 'raw' });
        const rows = await engine.query(planSql(t.fitted, 'raw', info.columns, 'serve'));
        const proba = t.model.predictProba(rowsToFrame(rows, t.model.schema));
        const header = lines[0]!.split(',');
        const records = lines.slice(1, 51).map((l) => Object.fromEntries(l.split(',').map((v, i) => [header[i]!, v])));
        const typed = records.map((r) => Object.fromEntries(p.inputs.map((c) => [c.name, c.type === 'string' ? r[c.name] : Number(r[c.name])])));
        const got = await p.predict(typed);
        got.forEach((g, i) => {
          if ('error' in g) throw new Error(g.error.message);
          expect(g.probabilities[1]).toBeCloseTo(proba[i * 2 + 1]!, 9);
        });
        expect(new Set(got.map((g) => ('error' in g ? '' : g.probabilities[1]!.toFixed(6)))).size).toBeGreaterThan(5);
      } finally {
        engine.close();
      }
    });
  }

  it('mountEndpoint wires it all: serve, log, metrics, and a promotion over HTTP swaps the model', async () => {
    await registry.register(trained.dir, { name: 'readmission', status: 'approved', by: 'pipeline' });
    const server = Fastify();
    const endpoint = await mountEndpoint(server, { registry, model: 'readmission', sampleRate: 1, pollMs: 0 });
    server.addHook('onClose', async () => await endpoint.close());
    await endpoint.follower.ready;
    await server.listen({ port: 0, host: '127.0.0.1' });
    try {
      const addr = server.server.address();
      if (addr === null || typeof addr === 'string') throw new Error('no port');
      const url = `http://127.0.0.1:${addr.port}`;
      expect((await fetch(`${url}/ping`)).headers.get('x-sluice-model-version')).toBe('1');
      const r1 = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: lines.slice(0, 3).join('\n') });
      expect(r1.status).toBe(200);
      expect(r1.headers.get('x-sluice-prediction-id')).toBeTruthy();
      const promote = await fetch(`${url}/api/models/readmission/promote`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-sluice-user': 'ana' },
        body: JSON.stringify({ version: 2 }),
      });
      expect(promote.status).toBe(200);
      await endpoint.follower.sync();
      const r2 = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: lines.slice(0, 3).join('\n') });
      expect(r2.headers.get('x-sluice-model-version')).toBe('2');
      const metricsText = await (await fetch(`${url}/metrics`)).text();
      expect(metricsText).toContain('sluice_records_predicted_total{model="readmission",version="1"} 2');
      expect(metricsText).toContain('sluice_model_loaded{model="readmission",version="2"} 1');
      await endpoint.predictionLog!.flush();
      const logged = registry.db.prepare('SELECT version, COUNT(*) AS n FROM predictions GROUP BY version ORDER BY version').all();
      expect(logged).toEqual([
        { version: '1', n: 2 },
        { version: '2', n: 2 },
      ]);
    } finally {
      await server.close();
    }
  });
});
