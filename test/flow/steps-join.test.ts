import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { planSql } from '../../src/flow/planSql.js';
import { runFlow } from '../../src/flow/runFlow.js';
import { canon, pythonBatch } from './steps-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-join-'));
// Keys repeat on the right (user 2 rated twice), some match nothing on either side, and both
// sides have a "score" column, so suffixes apply.
const LEFT = 'user,region,score\n1,eu,10\n2,us,20\n3,eu,30\n4,apac,40\n2,eu,50\n';
const RIGHT = 'user,region,score,plan\n2,us,0.5,pro\n2,eu,0.7,free\n1,eu,0.1,free\n9,us,0.9,pro\n';
writeFileSync(join(dir, 'left.csv'), LEFT);
writeFileSync(join(dir, 'right.csv'), RIGHT);
writeFileSync(join(dir, 'more.csv'), 'user,region\n7,eu\n1,eu\n');

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

function flow(step: Record<string, unknown>, inputs: Record<string, unknown> = { plans: { file: 'right.csv' } }) {
  return parseFlow(stringify({ version: 1, name: 'j', inputs, steps: [step] }), join(dir, 'j.flow.yaml'));
}

async function run(step: Record<string, unknown>, inputs?: Record<string, unknown>) {
  const r = await runFlow(engine, { flow: flow(step, inputs), input: join(dir, 'left.csv'), sources: { baseDir: dir } });
  return { ...r, rows: await engine.query(`SELECT * FROM "${r.relation}"`) };
}

/** pandas' results of this file, all computed in one python3 process. */
const py = pythonBatch();

/** pandas' `expr` on the left (l) and right (r) files, as records. */
function pandas(expr: string): () => Promise<Array<Record<string, unknown>>> {
  const code = `import json, pandas as pd
l = pd.read_csv(${JSON.stringify(join(dir, 'left.csv'))}); r = pd.read_csv(${JSON.stringify(join(dir, 'right.csv'))})
out = ${expr}
print(out.to_json(orient='records'))`;
  return py.add(() => code);
}

describe('join against pandas merge', () => {
  for (const how of ['inner', 'left', 'right', 'full'] as const) {
    const merged = pandas(`l.merge(r, how='${how === 'full' ? 'outer' : how}', on=['user'])`);
    it(`${how} on one key, clashing columns suffixed`, async () => {
      const got = await run({ kind: 'join', with: 'plans', how, on: ['user'] });
      const want = await merged();
      expect(canon(got.rows)).toEqual(canon(want));
    });
  }

  const severalKeys = pandas("l.merge(r, how='left', on=['user', 'region'], suffixes=('_l', '_r'))");
  it('several keys, with custom suffixes', async () => {
    const got = await run({ kind: 'join', with: 'plans', how: 'left', on: ['user', 'region'], suffixes: ['_l', '_r'] });
    const want = await severalKeys();
    expect(canon(got.rows)).toEqual(canon(want));
    expect(got.columns.map((c) => c.name)).toEqual(['user', 'region', 'score_l', 'score_r', 'plan']);
  });

  it('left_on/right_on keep both keys (as Data Wrangler, with _0/_1)', async () => {
    const got = await run({ kind: 'join', with: 'plans', how: 'inner', left_on: ['user'], right_on: ['user'], suffixes: ['_0', '_1'] });
    expect(got.columns.map((c) => c.name)).toEqual(['user_0', 'region_0', 'score_0', 'user_1', 'region_1', 'score_1', 'plan']);
    expect(got.rows.length).toBe(5); // user 1 matches once, each of the two user-2 rows matches twice
  });

  const m = "l.merge(r[['user','region']].drop_duplicates(), how='left', on=['user','region'], indicator=True)";
  const semiWant = pandas(`(lambda m: m[m._merge == 'both'].drop(columns='_merge'))(${m})`);
  const antiWant = pandas(`(lambda m: m[m._merge == 'left_only'].drop(columns='_merge'))(${m})`);
  it('semi and anti keep the left columns of rows with / without a match', async () => {
    const semi = await run({ kind: 'join', with: 'plans', how: 'semi', on: ['user', 'region'] });
    const anti = await run({ kind: 'join', with: 'plans', how: 'anti', on: ['user', 'region'] });
    expect(canon(semi.rows)).toEqual(canon(await semiWant()));
    expect(canon(anti.rows)).toEqual(canon(await antiWant()));
  });
});

describe('join: fit/apply and the record path', () => {
  it('a fitted left join applies the fit-time table to batches (SQL) and records alike', async () => {
    const r = await run({ kind: 'join', with: 'plans', how: 'left', on: ['user', 'region'] });
    // Applied later without the input: the fitted flow carries the reference table.
    const sqlRows = await engine.query(
      planSql(
        r.fitted,
        'probe',
        await (async () => {
          await engine.exec("CREATE OR REPLACE TABLE probe AS SELECT * FROM (VALUES (2, 'eu', 5), (5, 'eu', 6)) t(user, region, score)");
          return engine.describe('probe');
        })(),
        'serve',
      ),
    );
    const records = compileRecordTransform(r.fitted)([
      { user: 2, region: 'eu', score: 5 },
      { user: 5, region: 'eu', score: 6 },
    ]);
    expect(records.map((x) => x.ok && x.row)).toEqual(sqlRows.map((x) => ({ ...x })));
    expect(sqlRows[0]).toMatchObject({ plan: 'free', score_y: 0.7 });
    expect(sqlRows[1]).toMatchObject({ plan: null, score_y: null });
  });

  it('an inner join refuses a record without a match (the batch would drop it)', async () => {
    const r = await run({ kind: 'join', with: 'plans', how: 'inner', on: ['user', 'region'] });
    const [bad, good] = compileRecordTransform(r.fitted)([
      { user: 5, region: 'eu', score: 1 },
      { user: 1, region: 'eu', score: 1 },
    ]);
    expect(bad!.ok).toBe(false);
    expect(!bad!.ok && bad!.error.message).toMatch(/no row of "plans" matches/);
    expect(good!.ok && good!.row.plan).toBe('free');
  });

  it('refuses to serve a join whose key repeats, and right and full joins, saying why', async () => {
    const repeated = await run({ kind: 'join', with: 'plans', how: 'left', on: ['user'] });
    expect(() => compileRecordTransform(repeated.fitted)).toThrow(/repeats in "plans"/);
    const full = await run({ kind: 'join', with: 'plans', how: 'full', on: ['user', 'region'] });
    expect(() => compileRecordTransform(full.fitted)).toThrow(/full join adds the rows/);
  });

  it('a key of another type is refused when the flow is fitted', async () => {
    const err = await run({ kind: 'join', with: 'plans', how: 'left', left_on: ['region'], right_on: ['score'] }).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_TYPE');
  });

  it('an undeclared input and a file outside the flow folder are refused', async () => {
    expect(() => flow({ kind: 'join', with: 'nope', on: ['user'] })).toThrow(/does not declare/);
    const err = await run({ kind: 'join', with: 'plans', on: ['user'] }, { plans: { file: '../etc/passwd' } }).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_INPUT_PATH');
  });
});

describe('concatenate', () => {
  const concatenated = py.add<Array<Record<string, unknown>>>(
    () => `import json, pandas as pd
l = pd.read_csv(${JSON.stringify(join(dir, 'left.csv'))}); m = pd.read_csv(${JSON.stringify(join(dir, 'more.csv'))})
print(pd.concat([l, m], ignore_index=True).drop_duplicates().to_json(orient='records'))`,
  );
  it('appends the other input by column name; missing columns are missing; drop_duplicates as pandas', async () => {
    const got = await run({ kind: 'concatenate', with: 'more', drop_duplicates: true }, { more: { file: 'more.csv' } });
    expect(canon(got.rows)).toEqual(canon(await concatenated()));
    expect(got.rows.map((r) => r.user)).toEqual([1, 2, 3, 4, 2, 7, 1]);
  });

  it('refuses an input with columns the data lacks', async () => {
    const err = await run({ kind: 'concatenate', with: 'plans' }).catch((e: unknown) => e);
    expect(isSluiceError(err) && err.code).toBe('FLOW_CONCAT_COLUMNS');
  });
});
