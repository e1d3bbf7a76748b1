import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSluiceError, type SluiceError } from '../../src/core/errors.js';
import { Engine } from '../../src/engine/Engine.js';
import { readTable } from '../../src/engine/readTable.js';
import { compileRecordTransform } from '../../src/flow/compileRecordTransform.js';
import { parseFlow } from '../../src/flow/loadFlow.js';
import { readInputs } from '../../src/flow/loadInputs.js';
import { planSql } from '../../src/flow/planSql.js';
import { runFlow } from '../../src/flow/runFlow.js';
import { servingProblems } from '../../src/flow/servingProblems.js';
import { canon, pythonBatch } from './steps-helpers.js';

/**
 * Branches: a flow that forks and rejoins (a step's `as:`, inputs with `branch:`), fitted on one
 * batch and applied to another, against pandas doing the same by hand. Every batch recomputes its
 * branches from itself; what the steps learned (the median) comes from the fit batch.
 */
const dir = mkdtempSync(join(tmpdir(), 'sluice-branch-'));
// user u1 rated track a twice (the self-join on user, track multiplies those rows); scores are missing.
const FIT = 'user,track,rating,score\nu1,a,5,1.5\nu1,b,3,2.0\nu2,a,5,\nu2,c,5,4.0\nu3,b,1,0.5\nu4,a,4,3.0\nu1,c,5,2.5\nu1,a,2,\n';
const APPLY = 'user,track,rating,score\nu5,a,5,7.0\nu5,b,5,\nu1,a,5,1.0\nu6,c,2,9.0\nu6,c,5,3.0\nu1,b,1,\n';
writeFileSync(join(dir, 'fit.csv'), FIT);
writeFileSync(join(dir, 'apply.csv'), APPLY);

const FLOW = `version: 1
name: fork-rejoin
inputs:
  five_star:               # per user, the score of the first 5-star rating
    branch: cleaned
    steps:
      - kind: filter_rows
        expression: rating = 5
      - kind: select_columns
        columns: [user, score]
      - kind: drop_duplicates
        columns: [user]
      - kind: rename_columns
        mapping: { score: first_five }
steps:
  - kind: impute
    columns: [score]
    strategy: median
    as: cleaned
  - kind: compute
    output: score2
    expression: score * 2
    type: float
  - kind: join
    with: five_star
    how: left
    on: [user]
  - kind: join             # the branch point itself: every column of it, suffixed
    with: cleaned
    how: inner
    on: [user, track]
    suffixes: ['', _again]
`;

/** The same in pandas: the median from the fit batch, the branches from the batch itself. */
const PANDAS = `
import json, pandas as pd
fit = pd.read_csv(${JSON.stringify(join(dir, 'fit.csv'))})
med = fit.score.median()
def run(df):
    df = df.copy(); df['score'] = df['score'].fillna(med)
    cleaned = df.copy()
    df['score2'] = df.score * 2
    fs = cleaned[cleaned.rating == 5][['user', 'score']].drop_duplicates('user').rename(columns={'score': 'first_five'})
    df = df.merge(fs, how='left', on='user')
    return df.merge(cleaned, how='inner', on=['user', 'track'], suffixes=('', '_again'))
`;

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.open();
});
afterAll(() => engine.close());

/** pandas' results of this file, all computed in one python3 process. */
const py = pythonBatch();

/** `run(df)` of the pandas `code` on `file`, as records. */
function pandas(code: string, file: string): () => Promise<Array<Record<string, unknown>>> {
  return py.add(() => `${code}\nprint(run(pd.read_csv(${JSON.stringify(join(dir, file))})).to_json(orient='records'))`);
}

function problemsOf(fn: () => unknown): SluiceError[] {
  try {
    fn();
  } catch (e) {
    if (!isSluiceError(e)) throw e;
    return e.code === 'FLOW_PROBLEMS' ? (e.details as SluiceError[]) : [e];
  }
  throw new Error('expected an error');
}

/** What the five-star-means flow (the python step on a branch, below) does, in pandas. */
const MEANS_PANDAS = `
import json, pandas as pd
def run(df):
    means = df[df['rating'] == 5].groupby('user', as_index=False)['score'].mean().rename(columns={'score': 'mean_five'})
    return pd.concat([df.merge(means, how='inner', on='user'), df], ignore_index=True)
`;

describe('a flow that forks and rejoins, against pandas', () => {
  const forkFit = pandas(PANDAS, 'fit.csv');
  const forkApply = pandas(PANDAS, 'apply.csv');
  const meansFit = pandas(MEANS_PANDAS, 'fit.csv');
  const meansApply = pandas(MEANS_PANDAS, 'apply.csv');
  it('fits on one batch and applies to another: each batch joins with its own branches', async () => {
    const spec = parseFlow(FLOW, join(dir, 'fork.flow.yaml'));
    const fit = await runFlow(engine, { flow: spec, input: join(dir, 'fit.csv'), sources: { baseDir: dir } });
    expect(canon(await engine.query(`SELECT * FROM "${fit.relation}"`))).toEqual(canon(await forkFit()));
    expect(fit.columns.map((c) => c.name)).toEqual(['user', 'track', 'rating', 'score', 'score2', 'first_five', 'rating_again', 'score_again']);
    // a branch is not a reference table: the fitted flow keeps no rows of it
    expect(JSON.stringify(fit.fitted.steps[2]!.fitted)).not.toContain('u2');
    const applied = await runFlow(engine, { fitted: fit.fitted, input: join(dir, 'apply.csv'), sources: { baseDir: dir } });
    const want = await forkApply();
    expect(want.length).toBeGreaterThan(0);
    expect(canon(await engine.query(`SELECT * FROM "${applied.relation}"`))).toEqual(canon(want));
    // flow sql: the whole flow as one SELECT, branches as CTEs, gives the same rows
    const info = await readTable(engine, join(dir, 'apply.csv'), { name: 'apply_raw', recognise: false });
    const sql = planSql(fit.fitted, 'apply_raw', info.columns, 'train');
    expect(sql).toMatch(/b\d+ AS \(WITH b\d+_s0 AS/);
    expect(canon(await engine.query(sql))).toEqual(canon(want));
  });

  it('a branch with a python step (Data Wrangler custom code on a branch) runs on fit and apply', async () => {
    const flow = `version: 1
name: five-star-means
inputs:
  means:
    branch: main
    steps:
      - kind: python
        code: |
          df = df[df['rating'] == 5].groupby('user', as_index=False)['score'].mean().rename(columns={'score': 'mean_five'})
steps:
  - kind: join
    with: means
    how: inner
    on: [user]
  - kind: concatenate
    with: main
`;
    const spec = parseFlow(flow, join(dir, 'means.flow.yaml'));
    const fit = await runFlow(engine, { flow: spec, input: join(dir, 'fit.csv'), sources: { baseDir: dir }, python: '/usr/bin/python3' });
    expect(canon(await engine.query(`SELECT * FROM "${fit.relation}"`))).toEqual(canon(await meansFit()));
    const applied = await runFlow(engine, { fitted: fit.fitted, input: join(dir, 'apply.csv'), sources: { baseDir: dir }, python: '/usr/bin/python3' });
    expect(canon(await engine.query(`SELECT * FROM "${applied.relation}"`))).toEqual(canon(await meansApply()));
  });

  it('the record path refuses a join with a branch, saying why, when the model is trained and when records come', async () => {
    const spec = parseFlow(FLOW, join(dir, 'fork.flow.yaml'));
    const fit = await runFlow(engine, { flow: spec, input: join(dir, 'fit.csv'), sources: { baseDir: dir } });
    const problems = servingProblems(fit.fitted);
    expect(problems.map((p) => p.step)).toEqual([3, 4]);
    expect(problems[0]!.problem).toMatch(/"five_star" is a branch of the flow's own data .*serves batches only/);
    expect(() => compileRecordTransform(fit.fitted)).toThrow(/branch of the flow's own data/);
    expect(() => planSql(fit.fitted, 'apply_raw', fit.fitted.input, 'serve')).toThrow(/branch of the flow's own data/);
  });
});

describe('bad branches: every problem at once, each with its place', () => {
  const BAD = `version: 1
name: bad
inputs:
  lost: { branch: nowhere }
  later: { branch: late }
steps:
  - kind: join
    with: later
    on: [user]
  - kind: concatenate
    with: self
    as: self
  - kind: drop_columns
    columns: [track]
    as: late
  - kind: join
    with: nosuch
    on: [user]
  - kind: drop_columns
    columns: [score]
    as: late
`;
  it('unknown branch, used before it is taken, a cycle, an unknown name, a name given twice', () => {
    const problems = problemsOf(() => parseFlow(BAD, 'bad.flow.yaml'));
    const got = problems.map((p) => ({ code: p.code, line: p.location?.line, column: p.location?.column, field: p.location?.field }));
    expect(got).toEqual([
      { code: 'FLOW_BRANCH_NAME', line: 21, column: 9, field: 'as' },
      { code: 'FLOW_UNKNOWN_BRANCH', line: 4, column: 19, field: 'inputs.lost.branch' },
      { code: 'FLOW_BRANCH_ORDER', line: 8, column: 11, field: 'with' },
      { code: 'FLOW_BRANCH_CYCLE', line: 11, column: 11, field: 'with' },
      { code: 'FLOW_UNKNOWN_INPUT', line: 17, column: 11, field: 'with' },
    ]);
    const text = problems.map((p) => p.message).join('\n');
    expect(text).toContain('step 5 (drop_columns) names its result "late", as step 3 already does');
    expect(text).toContain('input lost is a branch from "nowhere", which no step names');
    expect(text).toContain('step 1 (join) reads input "later", a branch from "late", which is taken after step 3, a later step');
    expect(text).toContain('step 2 (concatenate) reads branch "self" which is this step\'s own result: the step would read itself (a cycle)');
    expect(text).toContain('step 4 (join) reads "nosuch", which the flow does not declare (neither an input nor a branch');
  });

  it('branch problems are listed with the other problems of the flow', () => {
    const problems = problemsOf(() => parseFlow(BAD.replace('columns: [track]', 'columns: 3'), 'bad.flow.yaml'));
    expect(problems.map((p) => p.code)).toContain('FLOW_INVALID');
    expect(problems.map((p) => p.code)).toContain('FLOW_BRANCH_CYCLE');
  });

  it('"main" is not a branch name; an input names a branch, a file or a feature group, one of them', () => {
    const main = problemsOf(() => parseFlow('version: 1\nname: m\nsteps:\n  - kind: drop_columns\n    columns: [a]\n    as: main\n', 'm.flow.yaml'));
    expect(main[0]!.message).toContain('names its result "main"');
    expect(main[0]!.location?.line).toBe(6);
    const both = problemsOf(() => parseFlow('version: 1\nname: m\ninputs:\n  x: { branch: main, file: x.csv }\nsteps: []\n', 'm.flow.yaml'));
    expect(both[0]!.message).toContain('give one of file, feature_group or branch');
  });

  it("an input's own steps cannot name a branch point", () => {
    const p = problemsOf(() =>
      parseFlow(
        'version: 1\nname: m\ninputs:\n  x:\n    branch: main\n    steps:\n      - kind: drop_columns\n        columns: [a]\n        as: y\nsteps: []\n',
        'm.flow.yaml',
      ),
    );
    expect(p[0]!.message).toContain("input x, step 1 (drop_columns) names its result (as:); only the flow's own steps can");
    expect(p[0]!.location?.line).toBe(9);
  });

  it('--with cannot give a file for a branch', async () => {
    const spec = parseFlow(FLOW, join(dir, 'fork.flow.yaml'));
    await expect(readInputs(engine, spec.inputs, { baseDir: dir, files: { five_star: join(dir, 'fit.csv') } })).rejects.toThrow(
      /gives a file for input "five_star", which is a branch of the flow's own data/,
    );
  });
});
