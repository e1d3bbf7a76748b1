import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coerceValue } from '../../src/core/coerceValue.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { fitFlow } from '../../src/flow/fitFlow.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { profileTable } from '../../src/profile/profileTable.js';
import { parseInvocation } from '../../src/server/endpoint/parseInvocation.js';
import { warningsOf } from '../../src/server/endpoint/recordWarnings.js';
import { predictFile } from '../../src/training/predictFile.js';
import { trainModel } from '../../src/training/trainModel.js';
import { rng, tempDir } from '../support/data.js';

/**
 * The one infinity policy (issue 12, point 1): ±Infinity in a number is missing, the same in the
 * readers (CSV, Parquet), the report, `impute`, `drop_missing`, batch prediction and the endpoint.
 * Text that spells infinity in a text column (`INF` as a code) is text, as pandas keeps it.
 */

const dir = tempDir('sluice-inf-');
let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

const flow = parseFlow(
  stringify({
    version: 1,
    name: 'inf',
    steps: [
      { kind: 'impute', columns: ['x'], strategy: 'median' },
      { kind: 'drop_missing', columns: ['y'] },
    ],
  }),
  'inf.flow.yaml',
);

/** x: 1, +inf, -inf, NaN, NULL, 5, 3 (four missing; median of the rest 3); y: -inf in row 2; code: INF is a value. */
const VALUES = `SELECT * FROM (VALUES (1, 1.0::DOUBLE, 10.0::DOUBLE, 'INF'), (2, 'inf'::DOUBLE, '-inf'::DOUBLE, 'a'), (3, '-inf'::DOUBLE, 30.0::DOUBLE, 'b'),
  (4, 'nan'::DOUBLE, 40.0::DOUBLE, 'inf'), (5, NULL, 50.0::DOUBLE, 'c'), (6, 5.0::DOUBLE, 60.0::DOUBLE, 'd'), (7, 3.0::DOUBLE, 70.0::DOUBLE, 'e')) t(id, x, y, code)`;

async function expectPolicy(relation: string): Promise<void> {
  const report = await profileTable(engine, relation, { plugins: {} });
  const missing = Object.fromEntries(report.columns.map((c) => [c.name, c.missing]));
  expect(missing).toEqual({ id: 0, x: 4, y: 1, code: 0 });
  const { fitted, relation: out } = await fitFlow(engine, flow, relation);
  expect((fitted.steps[0]!.fitted as { values: Record<string, number> }).values.x).toBe(3);
  const rows = await engine.query<{ id: number; x: number; code: string }>(`SELECT id, x, code FROM "${out}" ORDER BY id`);
  expect(rows.map((r) => [Number(r.id), r.x])).toEqual([
    [1, 1],
    [3, 3],
    [4, 3],
    [5, 3],
    [6, 5],
    [7, 3],
  ]);
  expect(rows.map((r) => r.code)).toEqual(['INF', 'b', 'inf', 'c', 'd', 'e']);
  expect(fitted.dropped).toEqual([{ step: 1, kind: 'drop_missing', rows: 1, reason: 'a missing value in y' }]);
}

describe('±Infinity is missing everywhere; "inf" in a text column is text', () => {
  it('a table holding infinite doubles (no reader involved): report, impute, drop_missing', async () => {
    await engine.exec(`CREATE TABLE raw AS ${VALUES}`);
    await expectPolicy('raw');
  });

  it('read from Parquet and from CSV (inf, -Infinity, +inf spellings)', async () => {
    const pq = join(dir, 'inf.parquet');
    await engine.exec(`COPY (${VALUES}) TO '${pq}' (FORMAT parquet)`);
    await readTable(engine, pq, { name: 'from_parquet' });
    await expectPolicy('from_parquet');
    const csv = join(dir, 'inf.csv');
    writeFileSync(csv, 'id,x,y,code\n1,1,10,INF\n2,inf,-Infinity,a\n3,+inf,30,b\n4,NaN,40,inf\n5,,50,c\n6,5,60,d\n7,3,70,e\n');
    const info = await readTable(engine, csv, { name: 'from_csv' });
    expect(info.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['id:integer', 'x:float', 'y:float', 'code:string']);
    await expectPolicy('from_csv');
    // The same file read as a view (how a flow streams a large file) follows the same policy.
    const view = await readTable(engine, csv, { name: 'from_csv_view', materialize: 'view' });
    expect(view.columns.map((c) => `${c.name}:${c.type}`)).toEqual(['id:integer', 'x:float', 'y:float', 'code:string']);
    await expectPolicy('from_csv_view');
  });

  it('a column mixing numbers, inf and words stays text, inf included (as pandas reads it)', async () => {
    const csv = join(dir, 'mixed.csv');
    writeFileSync(csv, 'id,m\n1,1\n2,inf\n3,abc\n');
    const info = await readTable(engine, csv, { name: 'mixed' });
    expect(info.columns.find((c) => c.name === 'm')?.type).toBe('string');
    expect((await engine.query<{ m: string }>('SELECT m FROM mixed ORDER BY id')).map((r) => r.m)).toEqual(['1', 'inf', 'abc']);
  });

  it('records: a number column reads inf as missing, a text column keeps it (endpoint and record path)', async () => {
    expect(coerceValue('-Infinity', 'float')).toBeNull();
    expect(coerceValue('inf', 'integer')).toBeNull();
    expect(coerceValue(Number.POSITIVE_INFINITY, 'float')).toBeNull();
    expect(coerceValue('INF', 'string')).toBe('INF');
    const inputs = [
      { name: 'x', type: 'float' as const },
      { name: 'code', type: 'string' as const },
    ];
    const parsed = parseInvocation('text/csv', 'x,code\ninf,INF\n-inf,a\n', inputs, 10);
    expect(parsed.records).toEqual([
      { x: null, code: 'INF' },
      { x: null, code: 'a' },
    ]);
    expect(parsed.records.map(warningsOf)).toEqual([undefined, undefined]);
    const { fitted } = await fitFlow(
      engine,
      parseFlow(stringify({ version: 1, name: 'r', steps: [{ kind: 'impute', columns: ['x'], strategy: 'median' }] }), 'r.flow.yaml'),
      'raw',
    );
    const out = compileRecordTransform(fitted)([
      { id: 1, x: 'inf', y: 1, code: 'INF' },
      { id: 2, x: null, y: 1, code: 'inf' },
    ]);
    expect(out.map((r) => r.ok && [r.row.x, r.row.code])).toEqual([
      [3, 'INF'],
      [3, 'inf'],
    ]);
  });

  it('batch prediction reads inf in a number as missing, with no note, the same as an empty cell', async () => {
    const r = rng(3);
    const lines = ['x,code,label'];
    for (let i = 0; i < 200; i++) {
      const x = Math.round(r() * 100);
      lines.push(`${i % 9 === 4 ? 'inf' : x},${['INF', 'a', 'b'][i % 3]},${x + (r() - 0.5) * 30 > 50 ? 'yes' : 'no'}`);
    }
    const train = join(dir, 'train.csv');
    writeFileSync(train, lines.join('\n') + '\n');
    const out = join(dir, 'model');
    const t = await trainModel(train, { target: 'label', outDir: out, timeLimit: 20, seed: 1, search: { maxCandidates: 2, ensemble: false } });
    expect(t.manifest.inputSignature).toEqual([
      { name: 'x', type: 'float' },
      { name: 'code', type: 'string' },
    ]);
    const fresh = join(dir, 'fresh.csv');
    writeFileSync(fresh, 'x,code\ninf,INF\n,INF\n-Infinity,a\n,a\n');
    const notes = join(dir, 'notes.csv');
    const p = await predictFile(out, fresh, { out: join(dir, 'p.csv'), errors: notes });
    expect(p.scored).toBe(4);
    expect(readFileSync(notes, 'utf8')).toBe('line,column,value,action,detail\n');
    const rows = readFileSync(join(dir, 'p.csv'), 'utf8').trim().split('\n').slice(1);
    expect(rows[0]).toBe(rows[1]);
    expect(rows[2]).toBe(rows[3]);
  }, 60_000);
});
