import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadFlowModelPredictor } from '../../src/server/endpoint/FlowModelPredictor.js';
import { ModelHost } from '../../src/server/endpoint/ModelHost.js';
import { invocationsRoutes } from '../../src/server/routes/invocations.js';
import { rng, tempDir, writeCsv } from '../support/data.js';
import { type CliResult, sluice } from './run.js';

/**
 * The project's missing tokens (sluice.yaml `missingTokens`) and a flow's `missing_tokens:` reach
 * every reader (issue 12, point 1): a project whose token is `?` reads a `?` cell as missing in
 * `sluice report`, `sluice flow run`, `sluice train`, `sluice predict`, `sluice models predict`,
 * `/invocations` and `sluice features create/ingest`. Each check fails if the token is ignored:
 * `?` would make a numeric column text, an unreadable value (a note), or a category.
 */

const root = tempDir('sluice-ptokens-');
const project = join(root, 'project');
const elsewhere = join(root, 'elsewhere');
mkdirSync(project);
mkdirSync(elsewhere);
writeFileSync(join(project, 'sluice.yaml'), "name: tokens\nmissingTokens: ['?']\n");

/** age (integer), color (text), score (float), label; `?` in each feature column now and then. */
function rows(n: number, seed: number): unknown[][] {
  const r = rng(seed);
  const colors = ['red', 'green', 'blue'];
  return Array.from({ length: n }, (_, i) => {
    const age = 20 + Math.floor(r() * 60);
    const color = colors[Math.floor(r() * 3)]!;
    const z = (age - 50) / 15 + (color === 'red' ? 1 : color === 'blue' ? -1 : 0) + (r() - 0.5);
    return [i % 7 === 3 ? '?' : age, i % 11 === 5 ? '?' : color, i % 13 === 2 ? '?' : Math.round(r() * 1000) / 100, z > 0 ? 'high' : 'low'];
  });
}
const HEADER = ['age', 'color', 'score', 'label'];
const data = writeCsv(project, 'train.csv', HEADER, rows(300, 5));
const out = join(project, 'out');
/** Rows 2 and 3 differ only by `?` against an empty cell, as rows 4 and 5 and rows 6 and 7: each pair must score the same. */
const fresh = join(elsewhere, 'new.csv');
writeFileSync(fresh, 'age,color,score\n40,red,1.5\n?,red,1.5\n,red,1.5\n40,?,1.5\n40,,1.5\n70,blue,?\n70,blue,\n');

let trained: CliResult;
beforeAll(async () => {
  trained = await sluice(['train', data, '--target', 'label', '--out', out, '--time-limit', '60', '--max-candidates', '3', '--seed', '2'], { cwd: project });
}, 120_000);

describe("a project's missing token is missing everywhere (issue 12)", () => {
  it("sluice report in the project counts ? as missing, and says it reads with the project's tokens", async () => {
    const r = await sluice(['report', data, '--target', 'label', '--out', join(project, 'report')], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`· reading with missing tokens ["?"] from ${join(project, 'sluice.yaml')}`);
    const report = JSON.parse(readFileSync(join(project, 'report', 'report.json'), 'utf8'));
    const col = (name: string) => report.columns.find((c: { name: string }) => c.name === name);
    expect(col('age').missing).toBe(43); // i % 7 === 3 for i < 300
    expect(col('age').type).toBe('numeric');
    expect(col('color').missing).toBe(27);
    expect(col('score').missing).toBe(23);
  });

  it('sluice flow run (and validate) in the project read ? as missing: impute fills it', async () => {
    const flow = join(project, 'impute.flow.yaml');
    writeFileSync(
      flow,
      'version: 1\nname: impute\nsteps:\n  - kind: impute\n    columns: [age]\n    strategy: median\n  - kind: drop_missing\n    columns: [color]\n',
    );
    const r = await sluice(['flow', 'run', flow, '--input', data, '--output', join(project, 'imputed.csv')], { cwd: project });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('step 2 (drop_missing): 27 rows removed, a missing value in color');
    const lines = readFileSync(join(project, 'imputed.csv'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1 + 300 - 27);
    expect(lines.some((l) => l.includes('?'))).toBe(false);
    const v = await sluice(['flow', 'validate', flow, '--input', data], { cwd: project });
    expect(v.stdout).toContain('300 rows in, 273 out');
    // Outside the project `?` is a value: age is text, and median imputation refuses it.
    const plain = await sluice(['flow', 'run', flow, '--input', data, '--output', join(elsewhere, 'x.csv')], { cwd: elsewhere });
    expect(plain.code).not.toBe(0);
    expect(existsSync(join(elsewhere, 'x.csv'))).toBe(false);
  });

  it('sluice train in the project fits with ?, and the model records the tokens', async () => {
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toContain('· reading with missing tokens ["?"]');
    const fitted = JSON.parse(readFileSync(join(out, 'model', 'fitted-flow.json'), 'utf8'));
    expect(fitted.missingTokens).toEqual(['', '?']);
    const manifest = JSON.parse(readFileSync(join(out, 'model', 'SLUICE_MODEL.json'), 'utf8'));
    expect(manifest.inputSignature).toEqual([
      { name: 'age', type: 'integer' },
      { name: 'color', type: 'string' },
      { name: 'score', type: 'float' },
    ]);
  });

  it('sluice predict (outside the project: the model carries the tokens) reads ? as missing, with no note', async () => {
    const notes = join(elsewhere, 'notes.csv');
    const r = await sluice(['predict', out, fresh, '--out', join(elsewhere, 'p.csv'), '--errors', notes], { cwd: elsewhere });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('predicted 7 of 7 rows');
    expect(readFileSync(notes, 'utf8')).toBe('line,column,value,action,detail\n');
    const p = readFileSync(join(elsewhere, 'p.csv'), 'utf8').trim().split('\n').slice(1);
    expect(p).toHaveLength(7);
    expect(p[1]).toBe(p[2]);
    expect(p[3]).toBe(p[4]);
    expect(p[5]).toBe(p[6]);
  });

  it('sluice models predict gives the same predictions through the same path', async () => {
    const reg = await sluice(['models', 'register', 'tokens', out, '--status', 'approved', '--project', project], { cwd: project });
    expect(reg.code, reg.stderr).toBe(0);
    const notes = join(elsewhere, 'notes2.csv');
    const r = await sluice(['models', 'predict', 'tokens', '1', '-i', fresh, '-o', join(elsewhere, 'appended.csv'), '--errors', notes, '--project', project], {
      cwd: elsewhere,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('7 of 7 rows scored');
    expect(readFileSync(notes, 'utf8')).toBe('line,column,value,action,detail\n');
    const appended = readFileSync(join(elsewhere, 'appended.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',').slice(3, 6).join(','));
    const batch = readFileSync(join(elsewhere, 'p.csv'), 'utf8').trim().split('\n').slice(1);
    expect(appended).toEqual(batch);
  });

  describe('/invocations', () => {
    let app: FastifyInstance;
    const host = new ModelHost();
    beforeAll(async () => {
      await host.load(() => loadFlowModelPredictor(join(out, 'model'), 'tokens', '1'));
      app = Fastify();
      await app.register(invocationsRoutes, { host });
      await app.ready();
    });
    afterAll(async () => app?.close());

    it('reads ? as missing in CSV and JSON records, without a warning, as batch prediction does', async () => {
      const post = (type: string, payload: string) => app.inject({ method: 'POST', url: '/invocations', headers: { 'content-type': type }, payload });
      const csv = await post('text/csv', readFileSync(fresh, 'utf8'));
      expect(csv.statusCode, csv.body).toBe(200);
      const p = csv.json().predictions as Array<{ probabilities: number[]; warnings?: unknown }>;
      expect(p.every((x) => x.warnings === undefined)).toBe(true);
      expect(p[1]!.probabilities).toEqual(p[2]!.probabilities);
      expect(p[3]!.probabilities).toEqual(p[4]!.probabilities);
      expect(p[5]!.probabilities).toEqual(p[6]!.probabilities);
      const batch = readFileSync(join(elsewhere, 'p.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => Number(l.split(',')[1]));
      p.forEach((x, i) => {
        expect(x.probabilities[0]).toBeCloseTo(batch[i]!, 12);
      });
      const json = await post(
        'application/json',
        JSON.stringify({
          instances: [
            { age: '?', color: 'red', score: 1.5 },
            { age: null, color: 'red', score: 1.5 },
          ],
        }),
      );
      const [a, b] = json.json().predictions as Array<{ probabilities: number[]; warnings?: unknown }>;
      expect(a!.warnings).toBeUndefined();
      expect(a!.probabilities).toEqual(b!.probabilities);
    });
  });

  it('sluice features create and ingest in the project type and store ? as missing', async () => {
    writeFileSync(join(project, 'feat.csv'), 'pid,ts,age,color\n1,2026-01-01T00:00:00Z,?,red\n2,2026-01-02T00:00:00Z,30,?\n');
    const created = await sluice(['features', 'create', 'patients', '--from', 'feat.csv', '--id', 'pid', '--event-time', 'ts', '--project', project], {
      cwd: project,
    });
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/age: integral/);
    const ing = await sluice(['features', 'ingest', 'patients', 'feat.csv', '--project', project], { cwd: project });
    expect(ing.code, ing.stderr).toBe(0);
    expect(ing.stdout).toContain('ingested 2 records');
    const got = JSON.parse((await sluice(['features', 'get', 'patients', '1', '2', '--project', project], { cwd: project })).stdout);
    expect(got.map((g: { values: Record<string, unknown> }) => [g.values.age, g.values.color])).toEqual([
      [null, 'red'],
      [30, null],
    ]);
  });
});

describe("a flow's missing_tokens reach train and prediction, and win over the project's", () => {
  it("trains with the flow's token in the project (not the project's ?), and predicts with it", async () => {
    const dir = join(project, 'flowtokens');
    mkdirSync(dir);
    const file = writeCsv(
      dir,
      'train.csv',
      HEADER,
      rows(300, 5).map((r) => r.map((v) => (v === '?' ? '-1' : v))),
    );
    const flow = join(dir, 'f.flow.yaml');
    writeFileSync(flow, "version: 1\nname: f\ntarget: label\nmissing_tokens: ['-1']\nsteps: []\n");
    const model = join(dir, 'out');
    const t = await sluice(['train', file, '--target', 'label', '--flow', flow, '--out', model, '--time-limit', '60', '--max-candidates', '3', '--seed', '2'], {
      cwd: dir,
    });
    expect(t.code, t.stderr).toBe(0);
    const fitted = JSON.parse(readFileSync(join(model, 'model', 'fitted-flow.json'), 'utf8'));
    expect(fitted.missingTokens).toEqual(['', '-1']);
    // -1 is missing, so no score of -1 counts toward the column; `color` stays text with no "-1" level.
    const schema = JSON.parse(readFileSync(join(model, 'model', 'model.json'), 'utf8'));
    expect(JSON.stringify(schema)).not.toContain('"-1"');
    writeFileSync(join(dir, 'new.csv'), 'age,color,score\n-1,red,1.5\n,red,1.5\n');
    const p = await sluice(['predict', model, join(dir, 'new.csv'), '--out', join(dir, 'p.csv')], { cwd: dir });
    expect(p.code, p.stderr).toBe(0);
    const [a, b] = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n').slice(1);
    expect(a).toBe(b);
  });
});
